/** Checks `accounts.yaml`: the new-media accounts, their publishing mode and credentials (secrets only by name). */
import { isMap } from 'yaml';
import { ACCOUNT_PLATFORMS, PUBLISHING_MODES, type NewMediaAccount, type Platform, type PublishingMode, type SecretRef } from '../../domain/registry.js';
import { checkAccountAdapter } from '../account-adapters.js';
import { IdSet, readSlug } from '../registry-ids.js';
import { readEntries, readEnum, readListUnder, readMap, readString, type Shape } from '../yaml-fields.js';
import { describe, join, forEachKey, type At, type FileCheck } from '../yaml-lines.js';
import { SECRET_NAME } from '../secrets.js';

const ACCOUNT_SHAPE: Shape = { required: ['id', 'name', 'platform', 'ownerUnit', 'publishing'], optional: ['credentials'] };
const CREDENTIAL_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Credential keys whose values are secrets and therefore must be given as `{ secret: NAME }`. */
const SECRET_KEY = /secret|token|password|passwd|private/i;

/** The accounts, or `undefined` when any has a problem (all reported). */
export function checkAccounts(fc: FileCheck, root: At): NewMediaAccount[] | undefined {
  const items = readListUnder(fc, root, 'accounts', 'the account list', 'accounts');
  if (!items) return undefined;
  const ids = new IdSet(fc, 'account id');
  const { entries, complete } = readEntries(fc, items, ACCOUNT_SHAPE, 'an account', (fields, at): NewMediaAccount | undefined => {
    const idAt = fields.get('id');
    const id = readSlug(fc, idAt);
    const name = readString(fc, fields.get('name'));
    const platformAt = fields.get('platform');
    const platform = readEnum(fc, platformAt, ACCOUNT_PLATFORMS);
    const ownerUnit = readString(fc, fields.get('ownerUnit'));
    const publishingAt = fields.get('publishing');
    const publishing = readEnum<PublishingMode>(fc, publishingAt, PUBLISHING_MODES);
    const credentialsAt = fields.get('credentials');
    const credentials = credentialsAt ? readCredentials(fc, credentialsAt) : {};
    const unique = ids.add(id, idAt);

    let ok = true;
    ok = checkAccountAdapter(platform, publishing, (message) => fc.issue(publishingAt!.path, message, publishingAt!.line)) && ok;
    if (publishing === 'api' && credentials && !Object.values(credentials).some((v) => typeof v !== 'string')) {
      fc.issue(
        credentialsAt?.path ?? join(at.path, 'credentials'),
        'an account published through the API needs credentials naming at least one secret, e.g. appSecret: { secret: NAME }',
        credentialsAt?.line ?? at.line,
      );
      ok = false;
    }
    if (!ok || id === undefined || name === undefined || !platform || ownerUnit === undefined || !publishing || !credentials || !unique) return undefined;
    return { id, name, platform: platform as Platform, ownerUnit, publishing, credentials };
  });
  return complete ? entries : undefined;
}

/** An account's credentials: plain values, or `{ secret: NAME }` for anything secret. */
function readCredentials(fc: FileCheck, at: At): Record<string, SecretRef | string> | undefined {
  if (!isMap(at.node)) {
    fc.issue(at.path, `expected credentials (a mapping of name to text or { secret: NAME }), got ${describe(at.node)}`, at.line);
    return undefined;
  }
  const out: Record<string, SecretRef | string> = {};
  let valuesOk = true;
  const keysOk = forEachKey(fc, at, at.node, 'credential names must be identifiers like appId or appSecret', CREDENTIAL_KEY, (key, node, keyLine) => {
    const value = fc.at(node, join(at.path, key), keyLine);
    if (isMap(value.node)) {
      const fields = readMap(fc, value, { required: ['secret'] }, 'a secret reference');
      const name = readString(fc, fields?.get('secret'), {
        pattern: SECRET_NAME,
        patternHint: 'must be an environment-variable style name (A-Z, 0-9, _; starting with a letter)',
        secretName: true,
      });
      if (name === undefined) valuesOk = false;
      else out[key] = { secret: name };
    } else if (SECRET_KEY.test(key)) {
      fc.issue(
        value.path,
        `"${key}" is a secret: name it as { secret: NAME } and supply the value from the environment or the secrets file; secret values never go in the repository`,
        value.line,
      );
      valuesOk = false;
    } else {
      const literal = readString(fc, value);
      if (literal === undefined) valuesOk = false;
      else out[key] = literal;
    }
  });
  return keysOk && valuesOk ? out : undefined;
}
