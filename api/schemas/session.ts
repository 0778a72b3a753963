/** Sign-in, the session and the units: request and answer shapes (routes in api/session-routes.ts). */
import { Type } from 'typebox';
import { NoBody, SAFE_MESSAGE, SAFE_TEXT, nullableString, tags } from './common.js';

export const SignInBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: SAFE_TEXT,
      'x-message': SAFE_MESSAGE,
      description: 'The user name (as `govpub users add` created it)',
    }),
    password: Type.String({ minLength: 1, maxLength: 1000, description: 'Never logged, never stored: only its scrypt hash is kept' }),
  },
  { additionalProperties: false, title: 'SignIn' },
);

export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1000, description: 'The password you sign in with now. Never logged, never stored' }),
    newPassword: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: '10 to 200 characters, no control characters, not the current one nor your user name',
    }),
  },
  { additionalProperties: false, title: 'ChangePassword' },
);

export const PasswordChanged = Type.Object(
  {
    changed: Type.Literal(true),
    sessionsEnded: Type.Integer({ description: 'Your other sessions (other browsers) that were signed out; the one that asked stays' }),
  },
  { title: 'PasswordChanged' },
);

const UnitRef = Type.Object({ id: Type.String(), name: Type.String() });

export const SessionUser = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    displayName: nullableString,
    role: Type.Enum(['editor', 'reviewer', 'ops', 'admin']),
    stages: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    unit: Type.Union([UnitRef, Type.Null()]),
  },
  { title: 'SessionUser' },
);

export const Permissions = Type.Object(
  {
    commands: Type.Array(Type.String(), { description: 'Commands of domain/commands.ts the role may give, e.g. create, edit, submit, withdraw' }),
    stages: Type.Array(Type.String(), { description: 'Review stage ids the user may decide at' }),
    scope: Type.Enum(['unit', 'all'], { description: "`unit`: only the unit's channels may be targeted (GET /api/channels?scope=mine)" }),
  },
  { title: 'Permissions' },
);

export const SessionAnswer = Type.Object(
  {
    user: SessionUser,
    csrfToken: Type.Union([Type.String(), Type.Null()], {
      description:
        'Send as X-CSRF-Token on every POST/PUT/PATCH/DELETE made with the session cookie (null when authenticated by a bearer token, which needs none)',
    }),
    permissions: Permissions,
  },
  { title: 'Session', description: 'Who is signed in, the CSRF token of the session and what the user may do' },
);

export const UnitList = Type.Object(
  { units: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), channelCount: Type.Integer() })) },
  { description: 'Owner units (config/registry/units.yaml) with how many channels each owns' },
);

export const sessionRoutes = {
  signIn: {
    summary:
      'Sign in with name and password: sets the httpOnly session cookie govpub_session (SameSite=Strict, 8 h idle, 7 days at most) and the marker govpub_signed_in=1 (no secret; the console asks GET /api/session only when it is present) and answers the CSRF token. 401 bad_credentials for a wrong name or password alike; 429 too_many_attempts after 10 failures for a name within 15 minutes.',
    tags: tags.system,
    body: SignInBody,
    response: { 200: SessionAnswer },
    'x-errors': [401, 403, 429],
  },
  getSession: { summary: 'The signed-in user, the CSRF token and permissions (401 when no session)', tags: tags.system, response: { 200: SessionAnswer } },
  signOut: {
    summary: 'Sign out: ends the session and clears the cookie (needs X-CSRF-Token)',
    tags: tags.system,
    body: NoBody,
    response: { 204: Type.Null({ description: 'Signed out' }) },
  },
  changePassword: {
    summary:
      'Change your own password: the current one and a new one (10–200 characters, no control characters, not the current one nor your user name). Your other sessions end; this one stays. 400 wrong_password when the current one is wrong (it counts toward the sign-in limit: 429 too_many_attempts after 10 for the name within 15 minutes), 400 invalid_password naming newPassword. Needs X-CSRF-Token with the session cookie. Audited as password_changed, with neither password.',
    tags: tags.system,
    body: ChangePasswordBody,
    response: { 200: PasswordChanged },
    'x-errors': [400, 429],
  },
  listUnits: { summary: 'Owner units with how many channels each owns', tags: tags.registry, response: { 200: UnitList } },
};
