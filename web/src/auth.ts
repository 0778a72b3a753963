/** Signing in and out (the session store itself is session.ts, which the API client reads). */
import { api } from './api';
import { applySession, session, type SessionAnswer } from './session';

export async function signIn(name: string, password: string): Promise<void> {
  applySession(await api.post<SessionAnswer>('/api/session', { name, password }));
}

export async function signOut(): Promise<void> {
  await api.delete('/api/session').catch(() => undefined);
  session.user = null;
  session.csrfToken = '';
}
