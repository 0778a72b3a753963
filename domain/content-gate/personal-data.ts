/**
 * Personal data in published text (国办发〔2018〕23号: disclosed material is de-identified; BRIEF.md
 * section 6). Pure and conservative: a match must be recognisable without doubt, because each one
 * blocks a release.
 *
 * Recognised:
 *   - 居民身份证号: 18 characters, GB 11643 check digit, a plausible area code and birth date; a
 *     number whose check digit is wrong is not an ID number and is not reported.
 *   - 手机号: mainland mobile numbers 1[3-9]x-xxxx-xxxx, with spaces or hyphens, +86 / 0086 / 86.
 *   - 银行卡号: 16–19 digits (or groups of four), passing the Luhn check, not part of a longer run.
 *   - 电子邮箱: any address except a government mailbox (`.gov.cn`), which is public contact data
 *     like an office's landline.
 *   - personal_other, by their labels only: a full birth date next to 出生 (year and month alone
 *     stay: 任前公示 publish them by rule), 家庭住址/现住址/户籍地址/居住地址：…, 病历号/住院号/
 *     病案号：…, 残疾类别/残疾等级：….
 * Not recognised (said in the README): unlabelled home addresses (an office's address reads the
 * same), medical conditions or property in running text, ID numbers split by spaces, 15-digit
 * first-generation ID numbers. Landlines (029-…) are offices' public numbers and never reported.
 */
import { foldText, originalSpan } from './fold.js';

export type PersonalKind = 'personal_id_number' | 'personal_mobile' | 'personal_bank_card' | 'personal_email' | 'personal_other';

export interface PersonalHit {
  code: PersonalKind;
  /** UTF-16 offsets into the text; end exclusive. */
  start: number;
  end: number;
  /** The value as it may be shown: `610103********1234`, `138****5678`. */
  masked: string;
  /** For personal_other: what it is (出生日期, 家庭住址, 病历号, 残疾类别). */
  label?: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
/** Province-level codes of GB/T 2260 (the first two digits of every ID number). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

/** GB 11643 check character of the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** True for an 18-character resident ID number: province, birth date 1900–2099, check digit. */
export function isResidentIdNumber(value: string): boolean {
  const v = value.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return false;
  if (!PROVINCES.has(Number(v.slice(0, 2)))) return false;
  const year = Number(v.slice(6, 10));
  if (year < 1900 || year > 2099 || !validDate(year, Number(v.slice(10, 12)), Number(v.slice(12, 14)))) return false;
  return idCheckCharacter(v.slice(0, 17)) === v[17];
}

/** The Luhn check (ISO/IEC 7812) over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export const maskIdNumber = (v: string) => `${v.slice(0, 6)}********${v.slice(14)}`;
export const maskMobile = (digits: string) => `${digits.slice(0, 3)}****${digits.slice(7)}`;
export const maskBankCard = (digits: string) => `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address[0]}***${address.slice(at)}`;
}

const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// Not after a digit, a hyphen (a landline's tail) or a letter; the area code stops a landline's own digits matching.
const MOBILE = /(?<![\dA-Za-z-])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d])/g;
const BANK_CARD = /(?<![\dA-Za-z-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![\d])/g;
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const BIRTH_DATE = /(?:出生(?:日期|年月日|于|时间)?[:：]?\s*)(\d{4})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?|(\d{4})年(\d{1,2})月(\d{1,2})日\s*出生/g;
const LABELLED = /(家庭住址|家庭地址|现住址|户籍地址|居住地址|住址|病历号|住院号|病案号|残疾类别|残疾等级)\s*[:：]\s*([^\s，,；;。\n]{2,60})/g;

/** Government mailboxes are published contact data, not personal data. */
const PUBLIC_MAIL_DOMAIN = /\.gov\.cn$/i;

/**
 * Every personal-data value in a text, in order, none overlapping (an ID number is not also a bank card).
 * Read as it reads: full-width digits count, and an invisible character inside a number does not hide it
 * (offsets are the original text's).
 */
export function findPersonalData(original: string): PersonalHit[] {
  const folded = foldText(original);
  const text = folded.text;
  const hits: PersonalHit[] = [];
  const taken = (start: number, end: number) => hits.some((h) => start < h.end && h.start < end);

  for (const m of text.matchAll(ID_NUMBER)) {
    if (isResidentIdNumber(m[0])) hits.push({ code: 'personal_id_number', start: m.index, end: m.index + 18, masked: maskIdNumber(m[0].toUpperCase()) });
  }
  for (const m of text.matchAll(MOBILE)) {
    const end = m.index + m[0].length;
    if (!taken(m.index, end)) hits.push({ code: 'personal_mobile', start: m.index, end, masked: maskMobile(`${m[1]}${m[2]}${m[3]}`) });
  }
  for (const m of text.matchAll(BANK_CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    const end = m.index + m[0].length;
    // Card numbers start 3–6 (UnionPay 62, Visa 4, Mastercard 5, JCB 35); Luhn alone passes one run in ten.
    if (digits.length < 16 || digits.length > 19 || !/^[3-6]/.test(digits) || !passesLuhn(digits) || taken(m.index, end)) continue;
    hits.push({ code: 'personal_bank_card', start: m.index, end, masked: maskBankCard(digits) });
  }
  for (const m of text.matchAll(EMAIL)) {
    const domain = m[0].slice(m[0].lastIndexOf('@') + 1);
    if (PUBLIC_MAIL_DOMAIN.test(domain)) continue;
    hits.push({ code: 'personal_email', start: m.index, end: m.index + m[0].length, masked: maskEmail(m[0]) });
  }
  for (const m of text.matchAll(BIRTH_DATE)) {
    const [year, month, day] = m[1] ? [m[1], m[2], m[3]] : [m[4], m[5], m[6]];
    if (!validDate(Number(year), Number(month), Number(day))) continue;
    const end = m.index + m[0].length;
    if (!taken(m.index, end)) hits.push({ code: 'personal_other', label: '出生日期', start: m.index, end, masked: `出生日期 ${year}年**月**日` });
  }
  for (const m of text.matchAll(LABELLED)) {
    const end = m.index + m[0].length;
    if (!taken(m.index, end)) hits.push({ code: 'personal_other', label: m[1]!, start: m.index, end, masked: `${m[1]}：***` });
  }
  return hits.map((h) => ({ ...h, ...originalSpan(folded, h.start, h.end) })).sort((a, b) => a.start - b.start);
}

/** The text with every hit replaced by its masked form, and where each hit now stands in it. */
export function maskText(text: string, hits: PersonalHit[]): { masked: string; at: { start: number; end: number }[] } {
  let masked = '';
  let from = 0;
  const at: { start: number; end: number }[] = [];
  for (const h of hits) {
    masked += text.slice(from, h.start);
    at.push({ start: masked.length, end: masked.length + h.masked.length });
    masked += h.masked;
    from = h.end;
  }
  return { masked: masked + text.slice(from), at };
}
