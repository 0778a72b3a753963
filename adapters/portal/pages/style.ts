/**
 * The portal's stylesheet (assets/site.css). Every colour comes from PALETTE, and every pair of
 * text and background colours the stylesheet uses is listed in TEXT_PAIRS, so a test can hold
 * each pair to the WCAG 2 contrast minimum of 4.5:1 (GB/T 37668-2019).
 *
 * Elder-friendly mode (适老化): `html.elder` (set by assets/site.js from localStorage) enlarges the
 * type by a quarter, widens line spacing, turns text black on white and underlines every link.
 */

export const SITE_CSS_PATH = 'assets/site.css';

/** The alignments the body sanitizer keeps (services/package-input.ts), the only style a body carries: classes `align-<a>` here (media.ts alignmentClasses). */
export const ALIGNMENTS = ['left', 'center', 'right', 'justify'] as const;

/** The colours of the site; names say where they are used. */
export const PALETTE = {
  text: '#222222',
  mutedText: '#595959',
  pageBackground: '#f6f6f6',
  surface: '#ffffff',
  /** Boxes on the article page (政策解读, 附件, 政策原文) and table headers. */
  panel: '#f2f5fa',
  tableHeader: '#f2f2f2',
  border: '#cccccc',
  link: '#0b4a8b',
  /** Header band: the site name, the search button border, the elder-mode toggle. */
  brand: '#a8171b',
  onBrand: '#ffffff',
  /** Main navigation band, darker than the header. */
  nav: '#8c1216',
  navCurrentBackground: '#ffffff',
  navCurrentText: '#8c1216',
  footerBackground: '#ececec',
  footerText: '#333333',
  buttonBackground: '#0b4a8b',
  buttonText: '#ffffff',
  /** 失效 / 废止 validity, and the focus outline on light backgrounds. */
  warning: '#a8171b',
  focus: '#0b4a8b',
  elderText: '#000000',
  elderLink: '#00307a',
} as const;

type Colour = (typeof PALETTE)[keyof typeof PALETTE];

/** Every text colour drawn on every background it appears on in SITE_CSS (kept in step with it). */
export const TEXT_PAIRS: readonly { where: string; text: Colour; background: Colour }[] = [
  { where: 'body text', text: PALETTE.text, background: PALETTE.surface },
  { where: 'breadcrumb on the page background', text: PALETTE.mutedText, background: PALETTE.pageBackground },
  { where: 'breadcrumb links', text: PALETTE.link, background: PALETTE.pageBackground },
  { where: 'dates, counts, notes', text: PALETTE.mutedText, background: PALETTE.surface },
  { where: 'links', text: PALETTE.link, background: PALETTE.surface },
  { where: 'links in article boxes', text: PALETTE.link, background: PALETTE.panel },
  { where: 'text in article boxes', text: PALETTE.text, background: PALETTE.panel },
  { where: 'metadata table headers', text: PALETTE.text, background: PALETTE.tableHeader },
  { where: 'site name and header controls', text: PALETTE.onBrand, background: PALETTE.brand },
  { where: 'main navigation', text: PALETTE.onBrand, background: PALETTE.nav },
  { where: 'current main navigation item', text: PALETTE.navCurrentText, background: PALETTE.navCurrentBackground },
  { where: 'footer text', text: PALETTE.footerText, background: PALETTE.footerBackground },
  { where: 'footer links', text: PALETTE.link, background: PALETTE.footerBackground },
  { where: 'search input and placeholder', text: PALETTE.mutedText, background: PALETTE.surface },
  { where: 'search button', text: PALETTE.buttonText, background: PALETTE.buttonBackground },
  { where: '失效 / 废止', text: PALETTE.warning, background: PALETTE.surface },
  { where: 'elder mode text', text: PALETTE.elderText, background: PALETTE.surface },
  { where: 'elder mode links', text: PALETTE.elderLink, background: PALETTE.surface },
  { where: 'elder mode footer', text: PALETTE.elderText, background: PALETTE.surface },
];

const P = PALETTE;

export const SITE_CSS = `/* govpub portal */
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;color:${P.text};line-height:1.7;background:${P.pageBackground}}
a{color:${P.link}}
a:hover{text-decoration:underline}
:focus-visible{outline:3px solid ${P.focus};outline-offset:2px}
.site-header :focus-visible,.main-nav :focus-visible{outline-color:${P.onBrand}}
.skip{position:absolute;left:-999px;top:0;background:${P.surface};color:${P.link};padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem;top:1rem}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.site-header{background:${P.brand};color:${P.onBrand}}
.header-inner,.nav-inner,.footer-inner{max-width:72rem;margin:0 auto;padding:0 1rem}
.header-inner{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.75rem;padding-top:1rem;padding-bottom:1rem}
.site-name{color:${P.onBrand};font-size:1.6rem;font-weight:bold;text-decoration:none;letter-spacing:.05em}
.header-tools{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.search{display:flex;gap:0}
.search input{font:inherit;color:${P.mutedText};background:${P.surface};border:1px solid ${P.onBrand};padding:.35rem .6rem;min-width:12rem}
.search input:focus{color:${P.text}}
.search input::placeholder{color:${P.mutedText};opacity:1}
.search button{font:inherit;color:${P.buttonText};background:${P.buttonBackground};border:1px solid ${P.onBrand};padding:.35rem .9rem;cursor:pointer;white-space:nowrap;flex:none}
.elder-toggle{font:inherit;color:${P.onBrand};background:${P.brand};border:1px solid ${P.onBrand};padding:.35rem .8rem;cursor:pointer}
.elder-toggle[aria-pressed="true"]{font-weight:bold}
.main-nav{background:${P.nav}}
.main-nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap}
.main-nav a{display:block;color:${P.onBrand};text-decoration:none;padding:.6rem 1rem;font-size:1.05rem}
.main-nav a:hover{text-decoration:underline}
.main-nav a[aria-current]{background:${P.navCurrentBackground};color:${P.navCurrentText};font-weight:bold}
.breadcrumb{max-width:72rem;margin:1rem auto 0;padding:0 1rem;font-size:.9rem;color:${P.mutedText}}
main{display:block;max-width:72rem;margin:1rem auto;padding:1.5rem;background:${P.surface}}
h1{font-size:1.6rem;text-align:center;line-height:1.4}
h2{font-size:1.25rem}
table{border-collapse:collapse}
.doc-meta,.catalogue-elements,.doc-table{width:100%;margin:1rem 0;font-size:.95rem}
.doc-meta th,.doc-meta td,.catalogue-elements th,.catalogue-elements td,.doc-table th,.doc-table td{border:1px solid ${P.border};padding:.4rem .6rem;text-align:left;vertical-align:top}
.doc-meta th,.catalogue-elements th,.doc-table thead th{background:${P.tableHeader};white-space:nowrap;width:7em}
.doc-table thead th{width:auto}
.validity-expired,.validity-repealed{color:${P.warning};font-weight:bold}
picture img,.lead img{max-width:100%;height:auto}
video{max-width:100%;height:auto;background:#000}
.lead{margin:1rem 0;text-align:center}
.transcript{margin:1rem 0;padding:.5rem 1rem;background:${P.panel};border:1px solid ${P.border}}
.transcript summary{cursor:pointer;font-weight:bold}
.related,.attachments,.policy-origin{margin-top:1.5rem;padding:1rem;background:${P.panel};border-left:4px solid ${P.link}}
.related h2,.attachments h2,.policy-origin h2{font-size:1.1rem;margin:0 0 .5rem}
.file-meta{color:${P.text}}
.jd-meta{text-align:center;color:${P.mutedText}}.jd-meta span{margin:0 .5rem}
.article-list,.column-links,.child-columns ul{list-style:none;padding:0}
.entry{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;padding:.6rem 0;border-bottom:1px dashed ${P.border}}
.entry-title{flex:1 1 20rem}.entry-date,.entry-column,.entry-jd,.count,.empty,.note{color:${P.mutedText};font-size:.9rem}
.thumb{width:160px;height:90px;object-fit:cover}
/* A title, name or address with nothing to break at (a Latin run, a URL) must not widen the page at 360 px: anywhere in the content. */
main,.breadcrumb{overflow-wrap:anywhere}
/* Nor may a body's preformatted line (a pasted table, a command, an address): it wraps inside its box, keeping its spaces.
   Wrapping rather than a sideways scroller: readable without swiping, printed whole, and no scroll region a keyboard cannot reach. */
pre{white-space:pre-wrap;overflow-wrap:anywhere;max-width:100%}
${ALIGNMENTS.map((a) => `.align-${a}{text-align:${a}}`).join('')}
.child-columns ul,.column-links{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
.key-areas{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(20rem,100%),1fr));gap:1rem}
.key-area{border:1px solid ${P.border};padding:.5rem 1rem}
.key-area h3{margin:.25rem 0;font-size:1.1rem}
.key-area ul{list-style:none;padding:0;margin:0}
.key-area li{display:flex;justify-content:space-between;gap:.5rem;padding:.2rem 0}
.key-area li a{min-width:0}
.key-area .entry-date{flex:none;white-space:nowrap}
.column-directory{list-style:none;padding:0}
.column-directory>li{margin:.5rem 0}
.column-directory>li>a{font-weight:bold}
.pager{display:flex;flex-wrap:wrap;justify-content:center;gap:.5rem 1rem;margin-top:1rem}
.feed-link{text-align:right}
.columns{color:${P.mutedText};font-size:.9rem;margin-top:1.5rem}
.site-map ul{padding-left:1.5rem}
.site-map>ul{padding-left:0;list-style:none}
.catalogue-category{margin-bottom:1.5rem}
.site-footer{background:${P.footerBackground};color:${P.footerText};font-size:.9rem;margin-top:2rem;padding:1.5rem 0}
.site-footer a{color:${P.link}}
.site-footer p,.site-footer address{margin:.3rem 0;font-style:normal}
.footer-inner{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:center;justify-content:space-between}
.footer-text{flex:1 1 30rem}
.footer-links a{margin-right:1rem}
.dzjg svg{display:block;width:64px;height:78px}
@media (max-width:40rem){
main{padding:1rem}
.site-name{font-size:1.3rem}
.header-tools{flex:1 1 100%}
.search{flex:1 1 100%;min-width:0}
.search input{min-width:0;width:0;flex:1 1 auto}
.doc-meta th,.doc-meta td{display:block;width:auto;border-top:0}
.doc-meta tr{display:block;border-top:1px solid ${P.border}}
.doc-table thead{display:none}
.doc-table td{display:block;border-top:0}
.doc-table td::before{content:attr(data-label) "：";font-weight:bold}
.doc-table tr{display:block;border-top:1px solid ${P.border}}
}
html.elder{font-size:125%}
html.elder body{color:${P.elderText};background:${P.surface};line-height:1.9}
html.elder a{color:${P.elderLink};text-decoration:underline}
html.elder .main-nav a,html.elder .site-name{color:${P.onBrand}}
html.elder .main-nav a[aria-current]{color:${P.navCurrentText}}
html.elder .entry-date,html.elder .entry-column,html.elder .entry-jd,html.elder .count,html.elder .empty,html.elder .note,html.elder .breadcrumb,html.elder .jd-meta,html.elder .columns{color:${P.elderText};font-size:1rem}
html.elder .site-footer{background:${P.surface};color:${P.elderText};border-top:2px solid ${P.elderText}}
html.elder .site-footer a{color:${P.elderLink}}
html.elder :focus-visible{outline-width:4px}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto!important;transition:none!important}}
@media print{.site-header,.main-nav,.site-footer .footer-links,.skip,.pager{display:none}main{max-width:none}}
`;
