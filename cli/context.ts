import { loadSettings } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import type { Opened } from '../runtime/app.js';
import type { AppContext } from '../services/context.js';

/** Run `body` with the database (and registry), closing them afterwards whatever happens. */
export async function withDatabase<T>(body: (opened: Opened) => Promise<T>, options = { migrate: true }): Promise<T> {
  const { openRegistryAndDatabase } = await import('../runtime/app.js');
  const opened = await openRegistryAndDatabase(loadSettings(), options);
  try {
    return await body(opened);
  } finally {
    await opened.close();
  }
}

export async function withApp<T>(body: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { openAppContext } = await import('../runtime/app.js');
  const { ctx, close } = await openAppContext(loadSettings(), { migrate: false });
  try {
    return await body(ctx);
  } finally {
    await close();
  }
}

/** The user a CLI command acts as: --as NAME or GOVPUB_USER. */
export async function actingUser(ctx: AppContext, name: string | undefined): Promise<Actor> {
  const who = name ?? process.env.GOVPUB_USER;
  if (!who) throw new GovpubError('user_required', 'Say who acts: --as <user name> or GOVPUB_USER=<user name> (see `govpub users list`).');
  const row = await ctx.db.selectFrom('users').selectAll().where('name', '=', who).where('disabled_at', 'is', null).executeTakeFirst();
  if (!row) throw new GovpubError('user_unknown', `No active user named "${who}". Create one with \`govpub users add ${who} --role editor\`.`);
  const { toActor } = await import('../services/users.js');
  return toActor(row);
}
