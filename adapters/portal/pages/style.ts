// The portal's stylesheets: the site's assets/site.css and the inline style of pages outside any generation.

export const SITE_CSS_PATH = 'assets/site.css';

/** Inline in the 404 and "nothing published yet" pages, which must not depend on a generation's files. */
export const STANDALONE_CSS =
  'body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222}' +
  '.site-header{background:#a8171b;padding:1rem}.site-name{color:#fff;font-size:1.4rem;text-decoration:none}main{max-width:60rem;margin:2rem auto;padding:0 1rem}';

export const SITE_CSS = `/* govpub portal */
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;line-height:1.7;background:#f6f6f6}
a{color:#0b4a8b}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.site-header{background:#a8171b;padding:1rem 1.5rem}
.site-name{color:#fff;font-size:1.5rem;font-weight:bold;text-decoration:none}
.breadcrumb{max-width:64rem;margin:1rem auto 0;padding:0 1rem;font-size:.9rem;color:#555}
main{max-width:64rem;margin:1rem auto;padding:1.5rem;background:#fff}
h1{font-size:1.6rem;text-align:center;line-height:1.4}
.doc-meta{width:100%;border-collapse:collapse;margin:1rem 0;font-size:.95rem}
.doc-meta th,.doc-meta td{border:1px solid #ddd;padding:.4rem .6rem;text-align:left}
.doc-meta th{background:#f2f2f2;white-space:nowrap;width:6em}
picture img,.lead img{max-width:100%;height:auto}
video{max-width:100%;height:auto;background:#000}
.lead{margin:1rem 0;text-align:center}
.related,.attachments,.policy-origin{margin-top:1.5rem;padding:1rem;background:#f7f9fc;border-left:4px solid #0b4a8b}
.related h2,.attachments h2,.policy-origin h2{font-size:1.1rem;margin:0 0 .5rem}
.jd-meta{text-align:center;color:#666}.jd-meta span{margin:0 .5rem}
.article-list{list-style:none;padding:0}
.entry{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;padding:.6rem 0;border-bottom:1px dashed #ddd}
.entry-title{flex:1 1 20rem}.entry-date,.entry-column,.entry-jd{color:#666;font-size:.9rem}
.thumb{width:160px;height:90px;object-fit:cover}
.pager{text-align:center;margin-top:1rem}
.columns{color:#666;font-size:.9rem;margin-top:1.5rem}
.site-footer{text-align:center;color:#777;font-size:.85rem;padding:1rem}
`;
