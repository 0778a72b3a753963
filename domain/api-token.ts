/** What a govpub API token looks like in text: `gp_` and 32 base64url characters (24 random bytes). */
export const API_TOKEN_SOURCE = 'gp_[A-Za-z0-9_-]{32}';
