/**
 * The content gate (before review, part of preflight): personal data, wording and links in a
 * package, found in its text, its attachments' text and its images' alt text. Rules are pure
 * functions over text; reading attachments and checking links are services around them.
 */

export const GATE_CODES = [
  'personal_id_number', // 居民身份证号 (18 digits, check digit verified)
  'personal_mobile', // 手机号
  'personal_bank_card', // 银行卡号 (Luhn)
  'personal_email', // 电子邮箱
  'personal_other', // further kinds the brief lists, where they can be recognised
  'wording_wrong', // 错词 → 正词
  'wording_blocked', // blocked term / official name or title miswritten
  'link_dead', // an external link that does not answer (warning)
  'link_refused', // a link govpub will not fetch (internal address, bad scheme)
  'attachment_unreadable', // an attachment whose text could not be read (warning)
] as const;
export type GateCode = (typeof GATE_CODES)[number];

export function isGateCode(code: string): code is GateCode {
  return (GATE_CODES as readonly string[]).includes(code);
}

/** Where in the package a match is. */
export interface GatePlace {
  /** JSON pointer into the package body: `/document/body`, `/interpretations/0/title`, `/document/attachments/1`, `/cover/alt`. */
  field: string;
  /** For attachments: the file's upload name and the page, sheet or paragraph. */
  within?: string;
  /** Character offset in the field's plain text (or the attachment's text). */
  offset: number;
  /** Line number (1-based) in that text. */
  line: number;
}

export interface GateMatch {
  code: GateCode;
  blocking: boolean;
  place: GatePlace;
  /** The context around the match with personal data masked (`身份证号 610103********1234`); never the raw value. */
  excerpt: string;
  /** For wording: the wrong form and the right one. */
  wrong?: string;
  right?: string;
  /** For links and attachments: why (a dead link's HTTP status, why a file could not be read), in Chinese and English. */
  reason?: string;
  reasonEn?: string;
}
