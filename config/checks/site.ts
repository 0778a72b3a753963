/**
 * Checks `site.yaml`: who runs the portal (网站标识信息) as the 政府网站发展指引 wants it in every
 * page's meta tags and footer. Formats are checked where they have one: the 10-character site
 * identifier code (网站标识码), the ICP and public-security filing numbers, https badge and 找错
 * links, a host name without scheme. No value may carry control characters (they would reach every page).
 */
import { isScalar } from 'yaml';
import type { SiteIdentity } from '../../adapters/portal/pages/model.js';
import { readMap, readString, type Shape, type TextRule } from '../yaml-fields.js';
import { describe, type At, type FileCheck } from '../yaml-lines.js';

const SITE_SHAPE: Shape = {
  required: ['siteName', 'siteDomain', 'siteIdCode', 'hostUnit', 'icpNumber', 'publicSecurityNumber'],
  optional: ['operatorUnit', 'partyGovernmentBadgeUrl', 'errorReportUrl', 'contact'],
};
const CONTACT_SHAPE: Shape = { required: [], optional: ['address', 'postcode', 'phone', 'email'] };

/** C0 and C1 controls (a tab or line break in a footer line is a mistake too). */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export const SITE_RULES = {
  siteDomain: {
    pattern: /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    patternHint: 'must be a host name without http(s):// or a path, such as www.beilin.gov.cn',
  },
  siteIdCode: { pattern: /^[0-9A-Za-z]{10}$/, patternHint: 'must be the 10-character 网站标识码 (letters and digits), such as "6101030001"' },
  icpNumber: {
    pattern: /^[\u4e00-\u9fa5]ICP备\d{6,12}号(?:-\d{1,4})?$/,
    patternHint: 'must be an ICP filing number such as 陕ICP备05001234号 or 陕ICP备2021001234号-1',
  },
  publicSecurityNumber: {
    pattern: /^[\u4e00-\u9fa5]{1,2}公网安备 ?\d{14}号$/,
    patternHint: 'must be a public-security filing number such as 陕公网安备 61010302000123号 (14 digits)',
  },
  postcode: { pattern: /^\d{6}$/, patternHint: 'must be a 6-digit postcode such as "710001"' },
  phone: { pattern: /^[0-9+()（）\- ,、转]{5,60}$/, patternHint: 'must be a phone number such as 029-80000000' },
  email: { pattern: /^[^\s@<>"]+@[^\s@<>"]+\.[a-z]{2,}$/i, patternHint: 'must be an e-mail address such as webmaster@example.gov.cn' },
} satisfies Record<string, TextRule>;

/** The identity, or `undefined` when any field has a problem (all reported). */
export function checkSiteIdentity(fc: FileCheck, root: At): SiteIdentity | undefined {
  const fields = readMap(fc, root, SITE_SHAPE, 'the site identity');
  if (!fields) return undefined;
  let ok = true;
  const text = (key: string, rule: TextRule = {}, max = 200): string | undefined => {
    const at = fields.get(key);
    const value = at ? readCode(fc, at, key === 'siteIdCode' || key === 'postcode', rule, max) : undefined;
    if (at && value === undefined) ok = false;
    return value;
  };
  const siteName = text('siteName', {}, 60);
  const siteDomain = text('siteDomain', SITE_RULES.siteDomain);
  const siteIdCode = text('siteIdCode', SITE_RULES.siteIdCode);
  const hostUnit = text('hostUnit', {}, 100);
  const operatorUnit = text('operatorUnit', {}, 100) ?? null;
  const icpNumber = text('icpNumber', SITE_RULES.icpNumber);
  const publicSecurityNumber = text('publicSecurityNumber', SITE_RULES.publicSecurityNumber);
  const httpsUrl = (key: string, what: string): string | null => {
    const at = fields.get(key);
    if (!at) return null;
    const url = readCode(fc, at, false, {}, 500);
    if (url === undefined) ok = false;
    else if (!isHttpsUrl(url)) {
      fc.issue(at.path, `must be an https:// address (${what}), got "${url}"`, at.line);
      ok = false;
    } else return url;
    return null;
  };
  const partyGovernmentBadgeUrl = httpsUrl('partyGovernmentBadgeUrl', "the badge's verification page");
  const errorReportUrl = httpsUrl('errorReportUrl', 'where readers report an error on the site: 我为政府网站找错');
  const contact: SiteIdentity['contact'] = { address: null, postcode: null, phone: null, email: null };
  const contactAt = fields.get('contact');
  if (contactAt) {
    const contactFields = readMap(fc, contactAt, CONTACT_SHAPE, 'the contact details (address, postcode, phone, email)');
    if (!contactFields) ok = false;
    else {
      const rules: Record<keyof SiteIdentity['contact'], TextRule> = {
        address: {},
        postcode: SITE_RULES.postcode,
        phone: SITE_RULES.phone,
        email: SITE_RULES.email,
      };
      for (const key of Object.keys(rules) as (keyof SiteIdentity['contact'])[]) {
        const at = contactFields.get(key);
        if (!at) continue;
        const value = readCode(fc, at, key === 'postcode' || key === 'phone', rules[key], 200);
        if (value === undefined) ok = false;
        else contact[key] = value;
      }
    }
  }
  if (!ok || !siteName || !siteDomain || !siteIdCode || !hostUnit || !icpNumber || !publicSecurityNumber) return undefined;
  return { siteName, siteDomain, siteIdCode, hostUnit, operatorUnit, icpNumber, publicSecurityNumber, contact, partyGovernmentBadgeUrl, errorReportUrl };
}

/**
 * Text, with codes that YAML may read as numbers (6101030001, 710001) taken as written when
 * `numbersAsText`; no control characters; at most `max` characters.
 */
function readCode(fc: FileCheck, at: At, numbersAsText: boolean, rule: TextRule, max: number): string | undefined {
  const node = at.node;
  if (numbersAsText && isScalar(node) && typeof node.value === 'number') {
    const written = node.source ?? String(node.value);
    return checked(fc, at, String(written).trim(), rule, max);
  }
  if (isScalar(node) && typeof node.value === 'string' && CONTROL_CHARACTERS.test(node.value)) {
    fc.issue(
      at.path,
      `must not contain control characters (found U+${node.value.match(CONTROL_CHARACTERS)![0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`,
      at.line,
    );
    return undefined;
  }
  if (!isScalar(node)) {
    fc.issue(at.path, `expected text, got ${describe(node)}`, at.line);
    return undefined;
  }
  const value = readString(fc, at, rule);
  if (value === undefined) return undefined;
  if ([...value].length > max) {
    fc.issue(at.path, `must be at most ${max} characters, got ${[...value].length}`, at.line);
    return undefined;
  }
  return value;
}

function checked(fc: FileCheck, at: At, value: string, rule: TextRule, max: number): string | undefined {
  if (rule.pattern && !rule.pattern.test(value)) {
    fc.issue(at.path, `${rule.patternHint ?? `must match ${String(rule.pattern)}`}, got "${value}"`, at.line);
    return undefined;
  }
  if (value.length > max) {
    fc.issue(at.path, `must be at most ${max} characters`, at.line);
    return undefined;
  }
  return value;
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname.length > 0 && !/\s/.test(value);
  } catch {
    return false;
  }
}
