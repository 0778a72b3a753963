// What a WeChat delivery carries (the payload snapshot), what it checkpoints, and the adapter's options.
export interface WechatArticle {
  role: 'document' | 'interpretation';
  /** Where it comes from in the package, for messages: `document`, `interpretations[1]`. */
  field: string;
  title: string;
  author: string;
  /** Empty for a multi-article push (the platform empties it anyway). */
  digest: string;
  /** Article HTML; govpub pictures still point at `/api/media/<sha256>` until transmit. */
  content: string;
  /** The portal page behind 阅读原文 ('' when the package has no portal page). */
  sourceUrl: string;
}

export interface WechatPayload {
  articles: WechatArticle[];
  /** The cover of every article: a rendition uploaded as permanent material. */
  cover: { mediaId: string; spec: string; materialType: 'thumb' | 'image' };
  /** Originals (sha256) of the in-article pictures, uploaded through media/uploadimg. */
  images: string[];
  /** Videos (sha256) whose poster rendition stands in an article for the video, uploaded like pictures (absent in older snapshots). */
  posters?: string[];
}

export interface WechatCheckpoint {
  /** `${mediaId}|${spec}` of the uploaded cover and its material media_id. */
  coverKey: string;
  coverMaterialId: string;
  /** In-article pictures already uploaded: original sha256 → platform image URL. */
  imageUrls: Record<string, string>;
  /** The draft (draft/add) holding the push. */
  draftMediaId: string;
  /** The publish job (freepublish/submit); '' after it failed and before it is submitted again. */
  publishId: string;
}

export interface WechatOaAdapterOptions {
  /** Per HTTP request (default 30 s). */
  timeoutMs?: number;
  /** Clock for token expiry and quota waits (default Date.now). */
  now?: () => number;
}
