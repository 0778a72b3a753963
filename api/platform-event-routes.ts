/**
 * Where platforms push news of deliveries. WeChat: an account's server URL (服务器配置) is
 * `<public URL>/api/platform-events/wechat-oa/<account id>`, with the Token that platforms.yaml
 * names as wechat_oa.credentials.eventToken (plaintext or compatible mode). GET answers WeChat's
 * check of the URL (echostr); POST takes the pushed messages, of which PUBLISHJOBFINISH wakes the
 * delivery waiting on that publishing job, or looks for it again over the next seconds when it has
 * not recorded the job yet (services/platform-events.ts); the answer comes at once either way. Not
 * signed in: the signature is the sender's proof, and nothing the message says is recorded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { readWechatPush, wechatSignatureMatches, WECHAT_EVENT_TOKEN_CREDENTIAL } from '../adapters/wechat-oa/events.js';
import { platformSecret, type PlatformConfigs } from '../config/platforms.js';
import type { SecretSources } from '../config/secrets.js';
import { GovpubError } from '../domain/errors.js';
import { channelId, findAccount } from '../domain/registry.js';
import type { AppContext } from '../services/context.js';
import { PlatformEventService } from '../services/platform-events.js';
import { ACCOUNT_ID_MESSAGE, tags, type RouteSchema } from './schemas/common.js';

/** A pushed message is a few hundred bytes; WeChat's largest are a few kilobytes. */
const PUSH_BODY_LIMIT = 64 * 1024;

const AccountParams = Type.Object({
  account: Type.String({ pattern: '^[a-z0-9_-]{1,64}$', 'x-message': ACCOUNT_ID_MESSAGE, description: 'The account id (accounts.yaml)' }),
});
const SignedQuery = {
  signature: Type.Optional(Type.String({ maxLength: 100 })),
  timestamp: Type.Optional(Type.String({ maxLength: 20 })),
  nonce: Type.Optional(Type.String({ maxLength: 100 })),
};
const VerifyQuery = Type.Object({ ...SignedQuery, echostr: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
// WeChat adds openid, and in compatible or safe mode encrypt_type and msg_signature.
const PushQuery = Type.Object(
  {
    ...SignedQuery,
    openid: Type.Optional(Type.String({ maxLength: 100 })),
    encrypt_type: Type.Optional(Type.String({ maxLength: 20 })),
    msg_signature: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export interface PlatformEventSources {
  platforms?: PlatformConfigs;
  secrets?: SecretSources;
}

export function registerPlatformEventRoutes(app: FastifyInstance, ctx: AppContext, sources: PlatformEventSources): void {
  const events = new PlatformEventService(ctx);
  // Pushes still being looked for (one that came before its delivery recorded the job) are left to the polls.
  app.addHook('onClose', async () => events.close());

  /** The account's Token, after checking that the account is a WeChat account published through the API. */
  const tokenFor = (account: string): string => {
    const found = findAccount(ctx.registry, account);
    if (!found || found.platform !== 'wechat_oa' || found.publishing !== 'api')
      throw new GovpubError(
        'not_found',
        `No WeChat official account "${account}" published through the API in accounts.yaml.`,
        { status: 404 },
        {
          zh: `accounts.yaml 中没有通过接口发布的微信公众号 "${account}"。`,
        },
      );
    const token =
      sources.platforms && sources.secrets ? platformSecret(sources.platforms, 'wechat_oa', WECHAT_EVENT_TOKEN_CREDENTIAL, sources.secrets) : undefined;
    if (!token)
      throw new GovpubError(
        'events_not_configured',
        `WeChat pushes are not set up here: name the Token in platforms.yaml as wechat_oa.credentials.${WECHAT_EVENT_TOKEN_CREDENTIAL}: { secret: NAME }, provide that secret, and enter the same Token in the account's 服务器配置. Until then deliveries are confirmed by polling.`,
        { status: 404 },
      );
    return token;
  };
  const requireSigned = (request: FastifyRequest<{ Params: { account: string } }>, query: Record<string, unknown>) => {
    if (!wechatSignatureMatches(tokenFor(request.params.account), query))
      throw new GovpubError(
        'event_signature_invalid',
        "The signature does not match this account's Token (check the Token in the account's 服务器配置 and in govpub's secret); nothing was done.",
        {
          status: 403,
        },
      );
  };

  void app.register(async (scope) => {
    scope.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT }, (_request, body, done) => done(null, body));

    scope.route<{ Params: { account: string }; Querystring: Record<string, string | undefined> }>({
      method: 'GET',
      url: '/api/platform-events/wechat-oa/:account',
      schema: {
        summary: "WeChat's check of the account's server URL: answers echostr when the signature matches the account's Token",
        tags: tags.operations,
        params: AccountParams,
        querystring: VerifyQuery,
        'x-errors': [400, 403, 404],
      } satisfies RouteSchema as RouteSchema,
      handler: async (request, reply) => {
        requireSigned(request, request.query);
        const echo = request.query.echostr ?? '';
        // Only WeChat's digits and letters are echoed: nothing else is reflected back.
        if (!/^[A-Za-z0-9_-]*$/.test(echo)) throw new GovpubError('invalid_query', 'echostr holds characters WeChat never sends.', { status: 400 });
        return reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(echo);
      },
    });

    scope.route<{ Params: { account: string }; Querystring: Record<string, string | undefined>; Body: unknown }>({
      method: 'POST',
      url: '/api/platform-events/wechat-oa/:account',
      schema: {
        summary:
          'A message WeChat pushes to the account (text/xml); PUBLISHJOBFINISH makes the delivery of that publishing job ask WeChat now (a delivery that records the job in the next seconds, once it has). Answers "success" at once',
        tags: tags.operations,
        params: AccountParams,
        querystring: PushQuery,
        'x-requestBody': { required: true, content: { 'text/xml': { schema: { type: 'string' } } } },
        'x-errors': [400, 403, 404, 413, 415],
      } satisfies RouteSchema as RouteSchema,
      handler: async (request, reply) => {
        requireSigned(request, request.query);
        if (typeof request.body !== 'string') throw new GovpubError('unsupported_media_type', 'Send the pushed message as text/xml.', { status: 415 });
        const push = readWechatPush(request.body);
        if (!push)
          throw new GovpubError('invalid_event', 'The body is not a WeChat push message (<xml> with MsgType, and for PUBLISHJOBFINISH a numeric publish_id).', {
            status: 400,
          });
        if (push.kind === 'encrypted') {
          // Safe mode: govpub does not hold the EncodingAESKey. Answered so WeChat does not resend; polls still confirm.
          request.log.warn(
            { account: request.params.account },
            'WeChat pushed an encrypted message: set the account to plaintext or compatible mode for publish results to arrive at once',
          );
        } else if (push.kind === 'publish_job_finished') {
          const outcome = await events.platformReported(channelId('wechat_oa', request.params.account), push.publishId);
          reply.header('x-govpub-push', outcome);
        }
        return reply.header('content-type', 'text/plain; charset=utf-8').send('success');
      },
    });
  });
}
