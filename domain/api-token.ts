/** What a govpub API token looks like in text: `gp_` and 32 base64url characters (24 random bytes). */
export const API_TOKEN_SOURCE = 'gp_[A-Za-z0-9_-]{32}';

/**
 * A token standing on its own in text (not the tail of a longer word): what a paste leaves.
 * Body text is held to this one, so that a long random identifier a platform made, which may
 * hold "gp_" by chance, is not taken for a token.
 */
const PASTED_API_TOKEN = new RegExp(`(?<![A-Za-z0-9_-])${API_TOKEN_SOURCE}`);

export function holdsPastedApiToken(text: string): boolean {
  return PASTED_API_TOKEN.test(text);
}

/** True for text shaped like a govpub API token (`gp_` and 32 base64url characters), anywhere in it. */
export function looksLikeApiToken(text: string): boolean {
  return new RegExp(API_TOKEN_SOURCE).test(text);
}

/**
 * Every API token in `text` written as `shownAs`: what an error or a terminal quotes back never
 * repeats a credential (the API's answers say `gp_…`, the CLI says what it left out).
 */
export function apiTokensHidden(text: string, shownAs = 'gp_…'): string {
  return text.replace(new RegExp(`${API_TOKEN_SOURCE}[A-Za-z0-9_-]*`, 'g'), shownAs);
}
