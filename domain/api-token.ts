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

/** Every API token in `text` written `gp_…`: what an error quotes back never repeats a credential. */
export function apiTokensHidden(text: string): string {
  return text.replace(new RegExp(`${API_TOKEN_SOURCE}[A-Za-z0-9_-]*`, 'g'), 'gp_…');
}
