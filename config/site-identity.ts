/**
 * Loads `config/registry/site.yaml`, who runs the portal (网站标识信息: 网站标识码, ICP and public
 * security filing numbers, 主办单位, 联系我们, the 党政机关 badge), and checks it
 * (config/checks/site.ts). Every problem is reported with file, line and field, like the registry:
 * `config/registry/site.yaml:12: siteIdCode: must be the 10-character 网站标识码 …`.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SiteIdentity } from '../adapters/portal/pages/model.js';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { checkSiteIdentity } from './checks/site.js';
import { REPO_ROOT, displayPath } from './repo-paths.js';
import { FileCheck, yamlFileTextOrThrow } from './yaml-lines.js';

export const SITE_IDENTITY_FILE = 'site.yaml';
export const DEFAULT_SITE_IDENTITY_PATH = path.join(REPO_ROOT, 'config', 'registry', SITE_IDENTITY_FILE);

/** Checks the text of a site.yaml; throws `ConfigError` listing every problem. The identity is frozen. */
export function parseSiteIdentity(text: string, file: string): SiteIdentity {
  const issues: ConfigIssue[] = [];
  const fc = new FileCheck(displayPath(file), issues);
  const root = fc.parse(text);
  const identity = root && checkSiteIdentity(fc, root);
  if (issues.length > 0 || !identity) {
    if (issues.length === 0) issues.push({ file: displayPath(file), path: '', message: 'the site identity is incomplete' });
    throw new ConfigError(issues);
  }
  return Object.freeze({ ...identity, contact: Object.freeze({ ...identity.contact }) });
}

function readError(file: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'file not found (the portal needs its site identity)' : `cannot read file: ${(err as Error).message}`;
  return new ConfigError([{ file: displayPath(file), path: '', message }]);
}

export async function loadSiteIdentity(file: string = DEFAULT_SITE_IDENTITY_PATH): Promise<SiteIdentity> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw readError(file, err);
  }
  return parseSiteIdentity(yamlFileTextOrThrow(bytes, displayPath(file)), file);
}

export function loadSiteIdentitySync(file: string = DEFAULT_SITE_IDENTITY_PATH): SiteIdentity {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw readError(file, err);
  }
  return parseSiteIdentity(yamlFileTextOrThrow(bytes, displayPath(file)), file);
}
