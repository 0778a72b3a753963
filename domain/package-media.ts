/**
 * Which uploaded files a package's content refers to, walked one way for every caller (the
 * create/edit check, the release unit a delivery formats, the package view's rendition progress):
 * the cover, each interpretation's file, the pictures in its body, its captions and the pictures
 * in its transcript, the pictures in the document's body, and the document's attachments.
 */

/** Every `src` of an `<img>` in body HTML, in order. */
export function imageSources(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<img\b[^>]*\bsrc\s*=\s*("([^"]*)"|'([^']*)')/gi)) out.push(m[2] ?? m[3] ?? '');
  return out;
}

/**
 * Body HTML refers to an uploaded image as `<img src="/api/media/<sha256>">` (the API serves it
 * there); adapters swap such sources for the platform's own copy. Null for any other source.
 */
export function mediaIdFromSrc(src: string): string | null {
  const m = /^(?:https?:\/\/[^/]+)?\/api\/media\/([0-9a-f]{64})(?:[/?#].*)?$/.exec(src.trim());
  return m ? m[1]! : null;
}

/** The parts of a package's content that can refer to uploads (stored content and parsed input both fit). */
export interface MediaBearingContent {
  cover?: { mediaId: string } | null;
  document: { body: string; attachments?: { mediaId?: string }[] } | null;
  interpretations?: { form?: string; mediaId?: string; body?: string; captionsMediaId?: string; transcript?: string }[];
}

export interface MediaReference {
  /** Where the reference stands, as an input field path (`interpretations[0].body`). */
  path: string;
  mediaId: string;
  /** The kind of upload the place needs; none where any kind will do (attachments). */
  kind?: 'image' | 'video' | 'audio' | 'captions';
}

/** Every reference to an upload, in the order of the content, with where it stands and what it must be. */
export function packageMediaReferences(content: MediaBearingContent): MediaReference[] {
  const refs: MediaReference[] = [];
  const pictures = (html: string | undefined, path: string) => {
    for (const src of imageSources(html ?? '')) {
      const id = mediaIdFromSrc(src);
      if (id) refs.push({ path, mediaId: id, kind: 'image' });
    }
  };
  if (content.cover) refs.push({ path: 'cover.mediaId', mediaId: content.cover.mediaId, kind: 'image' });
  (content.interpretations ?? []).forEach((i, n) => {
    if (i.mediaId)
      refs.push({ path: `interpretations[${n}].mediaId`, mediaId: i.mediaId, ...(i.form === 'video' || i.form === 'audio' ? { kind: i.form } : {}) });
    pictures(i.body, `interpretations[${n}].body`);
    if (i.captionsMediaId) refs.push({ path: `interpretations[${n}].captionsMediaId`, mediaId: i.captionsMediaId, kind: 'captions' });
    pictures(i.transcript, `interpretations[${n}].transcript`);
  });
  if (content.document) {
    pictures(content.document.body, 'document.body');
    (content.document.attachments ?? []).forEach((a, n) => {
      if (a.mediaId) refs.push({ path: `document.attachments[${n}].mediaId`, mediaId: a.mediaId });
    });
  }
  return refs;
}

/** The distinct uploads a package's content refers to. */
export function packageMediaIds(content: MediaBearingContent): string[] {
  return [...new Set(packageMediaReferences(content).map((r) => r.mediaId))];
}

/** The sentence for a reference to an upload of another kind (api/validation.ts has its Chinese): "… is an image", "… is an audio", "… is a video". */
export function wrongKindMessage(expected: string, mediaId: string, actual: string): string {
  return `expected an uploaded ${expected}, but ${mediaId.slice(0, 12)}… is ${/^[aeiou]/.test(actual) ? 'an' : 'a'} ${actual}`;
}
