/**
 * Token storage for adapters. Production keeps tokens in the database (db/token-store.ts) so
 * every worker shares them and a rotated refresh token survives a restart; tests of a single
 * adapter may use the in-memory store.
 */
import type { TokenStore } from './types.js';

export function memoryTokenStore(): TokenStore & { entries(): Map<string, { value: string; expiresAt: Date | null }> } {
  const map = new Map<string, { value: string; expiresAt: Date | null }>();
  return {
    async get(name) {
      return map.get(name) ?? null;
    },
    async put(name, value, expiresAt) {
      map.set(name, { value, expiresAt });
    },
    async delete(name) {
      map.delete(name);
    },
    entries: () => map,
  };
}

/** True when a stored token is still usable for at least `marginMs`. */
export function stillValid(token: { expiresAt: Date | null } | null, nowMs: number, marginMs = 60_000): boolean {
  if (!token) return false;
  return token.expiresAt === null || token.expiresAt.getTime() - marginMs > nowMs;
}
