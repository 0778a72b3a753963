/** A channel's health as GET /api/channels shows it (services/channel-health.ts). */
import { Type } from 'typebox';
import { CREDENTIAL_STATES } from '../../services/channel-health.js';
import { nullableString, nullableTimestamp } from './common.js';

export const ChannelHealth = Type.Object(
  {
    endpoint: Type.Union([Type.String(), Type.Null()], { description: 'Base URL (scheme, host, path; never credentials)' }),
    credential: Type.Enum([...CREDENTIAL_STATES]),
    lastSuccessAt: nullableTimestamp,
    lastFailureAt: nullableTimestamp,
    paused: Type.Boolean(),
    pausedReason: nullableString,
    reachability: Type.Optional(Type.String({ description: 'reachable, unreachable or not_applicable (when the process probes endpoints)' })),
  },
  { title: 'ChannelHealth', description: "A channel's endpoint, credential state, last success and failure, pause" },
);
