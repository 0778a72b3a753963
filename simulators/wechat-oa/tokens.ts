// WeChat access tokens: /cgi-bin/token (a new token supersedes the old after a grace period) and /cgi-bin/stable_token (normal and force_refresh modes).
import { err } from './errors.js';
import { WECHAT_LIMITS } from './state.js';
import type { WechatApi } from './api.js';
import { queryParams } from '../common.js';

export function registerTokenRoutes({ app, ctx, state, opts, today, overQuota, jsonOr47001 }: WechatApi): void {
  const ttl = opts.tokenTtlSeconds ?? 7200;
  const grace = opts.tokenGraceSeconds ?? 300;

  const credentialError = (appid: string | undefined, secret: string | undefined): number | undefined => {
    switch (ctx.credentials.check(appid, secret)) {
      case 'ok':
        return undefined;
      case 'missing_app':
        return 41002;
      case 'missing_secret':
        return 41004;
      case 'unknown_app':
        return 40013;
      default:
        return 40125;
    }
  };

  // ---- access tokens ---------------------------------------------------------------
  app.get('/cgi-bin/token', async (req) => {
    const q = queryParams(req);
    if (q.grant_type !== 'client_credential') return err(40002);
    const bad = credentialError(q.appid, q.secret);
    if (bad) return err(bad);
    if (overQuota(q.appid!, '/cgi-bin/token')) return err(45009);
    // A new token supersedes the previous ones; they stay valid for a short grace period.
    const rec = ctx.tokens.issue({ subject: q.appid!, space: 'basic', ttlSeconds: ttl, length: 136 });
    ctx.tokens.supersede(q.appid!, 'basic', grace, rec.token);
    return { access_token: rec.token, expires_in: ttl };
  });

  app.get('/cgi-bin/stable_token', async () => err(43002));
  app.post('/cgi-bin/stable_token', async (req, reply) => {
    const body = jsonOr47001(req, reply);
    if (!body) return reply;
    const appid = typeof body.appid === 'string' ? body.appid : undefined;
    const secret = typeof body.secret === 'string' ? body.secret : undefined;
    if (body.grant_type !== 'client_credential') return err(40002);
    const bad = credentialError(appid, secret);
    if (bad) return err(bad);
    const force = body.force_refresh === true;
    const current = ctx.tokens.current(appid!, 'stable')[0];
    const now = ctx.clock.now();
    if (force) {
      const day = today();
      const fr = state().forceRefresh.get(appid!);
      const count = fr && fr.day === day ? fr.count : 0;
      // Within 30 s of the last forced refresh the platform does not refresh again.
      if (fr && current && now - fr.last < WECHAT_LIMITS.forceRefreshIntervalSeconds * 1000) {
        return { access_token: current.token, expires_in: ctx.tokens.remainingSeconds(current) };
      }
      if (count >= WECHAT_LIMITS.forceRefreshPerDay) return err(45009, 'force_refresh quota (20 per day)');
      state().forceRefresh.set(appid!, { day, count: count + 1, last: now });
      const rec = ctx.tokens.issue({ subject: appid!, space: 'stable', ttlSeconds: ttl, length: 136 });
      ctx.tokens.supersede(appid!, 'stable', 0, rec.token);
      return { access_token: rec.token, expires_in: ttl };
    }
    if (current && ctx.tokens.remainingSeconds(current) > WECHAT_LIMITS.stableRenewBeforeSeconds) {
      return { access_token: current.token, expires_in: ctx.tokens.remainingSeconds(current) };
    }
    // Normal mode renews in the last 5 minutes; the old token keeps working until it expires.
    const rec = ctx.tokens.issue({ subject: appid!, space: 'stable', ttlSeconds: ttl, length: 136 });
    return { access_token: rec.token, expires_in: ttl };
  });
}
