// Text and pages the simulators hand out: HTML to text, links in a text, and a minimal public page per post.

/** Strips HTML tags and collapses whitespace (for digests and text lengths). */
export function htmlToText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** All http(s) URLs in a text or HTML fragment (href/src attributes and bare links). */
export function extractLinks(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/https?:\/\/[^\s"'<>)\]]+/gi)) out.add(m[0]);
  return [...out];
}

/** A minimal HTML page for the public URLs simulators hand out (so link checks work locally). */
export function htmlPage(title: string, bodyHtml: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${bodyHtml}</body></html>`;
}
