/** Who is signed in, what they may do, and the CSRF token their state changes carry. */
import { reactive } from 'vue';

export type Role = 'editor' | 'reviewer' | 'ops' | 'admin';

export interface SessionUser {
  id: string;
  name: string;
  displayName: string | null;
  role: Role;
  stages: { id: string; name: string }[];
  unit: { id: string; name: string } | null;
}

export interface Permissions {
  commands: string[];
  stages: string[];
  scope: 'unit' | 'all';
}

export interface SessionAnswer {
  user: SessionUser;
  csrfToken: string;
  permissions: Permissions;
}

export const session = reactive({
  loaded: false,
  user: null as SessionUser | null,
  csrfToken: '',
  permissions: { commands: [], stages: [], scope: 'all' } as Permissions,
});

let signedOutHandler: () => void = () => {};

/** The router sets this: a 401 anywhere sends the person to the sign-in page. */
export function whenSignedOut(handler: () => void): void {
  signedOutHandler = handler;
}

/** What a page keeps when the session ends under it (an unsaved form): called before the person is sent to sign in. */
const endingHandlers = new Set<(user: SessionUser) => void>();

/**
 * Registers what to keep when the session ends on its own (expired, or ended elsewhere): the page
 * is left for the sign-in page, so what it holds only in memory is lost unless kept. Returns the
 * unregistration.
 */
export function whenSessionEnds(handler: (user: SessionUser) => void): () => void {
  endingHandlers.add(handler);
  return () => endingHandlers.delete(handler);
}

export function onSignedOut(): void {
  const user = session.user;
  if (user) {
    for (const handler of endingHandlers) {
      try {
        handler(user);
      } catch {
        // Keeping a page's state is a courtesy: the person is still sent to sign in.
      }
    }
  }
  session.user = null;
  session.csrfToken = '';
  signedOutHandler();
}

export function applySession(answer: SessionAnswer): void {
  session.user = answer.user;
  session.csrfToken = answer.csrfToken;
  session.permissions = answer.permissions;
  session.loaded = true;
}

/** Reads the current session (the cookie); false when nobody is signed in. */
export async function loadSession(): Promise<boolean> {
  // No marker cookie (govpub_signed_in, set beside the HttpOnly session cookie): nobody signed in
  // here, and asking would only be answered 401, an error in the browser's console.
  if (!document.cookie.split(';').some((part) => part.trim() === 'govpub_signed_in=1')) {
    session.loaded = true;
    session.user = null;
    return false;
  }
  const response = await fetch('/api/session', { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => null);
  session.loaded = true;
  if (!response || !response.ok) {
    session.user = null;
    return false;
  }
  applySession((await response.json()) as SessionAnswer);
  return true;
}

/** True when the person's role may run this command (names from domain/commands.ts). */
export function may(command: string): boolean {
  return session.permissions.commands.includes(command);
}

export function hasRole(...roles: Role[]): boolean {
  return session.user !== null && roles.includes(session.user.role);
}
