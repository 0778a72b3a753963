/**
 * Personal data in published text (国办发〔2018〕23号: disclosed material is de-identified; BRIEF.md
 * section 6). Pure and conservative: a match must be recognisable without doubt, because each one
 * blocks a release.
 *
 * Recognised:
 *   - 居民身份证号: 18 characters, GB 11643 check digit, a plausible area code and birth date; a
 *     number whose check digit is wrong is not an ID number and is not reported. Also written in
 *     groups (6-8-4, 4-4-4-4-2 or 3-3-4-4-4, spaces or hyphens), right after Latin letters
 *     (ID610103…), and, next to its label only (身份证号：…), the 15-digit first-generation number
 *     (area code and a 19xx birth date; it has no check digit, so unlabelled it reads like an old
 *     15-digit business registration number).
 *   - 手机号: mainland mobile numbers 1[3-9]x-xxxx-xxxx, with spaces or hyphens, +86 / 0086 / 86.
 *   - 银行卡号: 16–19 digits (or groups of four), passing the Luhn check, not part of a longer run.
 *   - 电子邮箱: any address except a government mailbox (`.gov.cn`), which is public contact data
 *     like an office's landline.
 *   - personal_other, by their labels only: a full birth date next to 出生 (year and month alone
 *     stay: 任前公示 publish them by rule), 家庭住址/现住址/户籍地址/居住地址：…, 病历号/住院号/
 *     病案号：…, 残疾类别/残疾等级：….
 * Not recognised (said in the README): unlabelled home addresses (an office's address reads the
 * same), medical conditions or property in running text, unlabelled 15-digit first-generation ID
 * numbers. Landlines (029-…) are offices' public numbers and never reported.
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

/** True for a 15-digit first-generation ID number: province, then a valid birth date in 19xx (YYMMDD). */
export function isFirstGenerationIdNumber(value: string): boolean {
  if (!/^\d{15}$/.test(value) || !PROVINCES.has(Number(value.slice(0, 2)))) return false;
  return validDate(1900 + Number(value.slice(6, 8)), Number(value.slice(8, 10)), Number(value.slice(10, 12)));
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

/** An 18-character ID keeps its area code and last four; a 15-digit one its area code and last three. */
export const maskIdNumber = (v: string) => (v.length === 15 ? `${v.slice(0, 6)}******${v.slice(12)}` : `${v.slice(0, 6)}********${v.slice(14)}`);
export const maskMobile = (digits: string) => `${digits.slice(0, 3)}****${digits.slice(7)}`;
export const maskBankCard = (digits: string) => `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address[0]}***${address.slice(at)}`;
}

// Not inside a longer run of digits (a letter before is a label: ID610103…; a letter after makes a code).
const ID_NUMBER = /(?<!\d)\d{17}[\dXx](?![0-9A-Za-z])/g;
// The same 18 characters in the groups people type them in, one kind of separator throughout, and not
// part of a longer grouped number (a bank card 6222 0211 … keeps its own digits).
const ID_GROUPED =
  /(?<!\d|\d[ \u00A0\u3000-])(?:\d{6}([ \u00A0\u3000-])\d{8}\1\d{3}|\d{4}([ \u00A0\u3000-])\d{4}\2\d{4}\2\d{4}\2\d|\d{3}([ \u00A0\u3000-])\d{3}\3\d{4}\3\d{4}\3\d{3})[\dXx](?![0-9A-Za-z]|[ \u00A0\u3000-]\d)/g;
// A first-generation number only where it is called an ID number.
const ID_FIRST_GENERATION = /(?:身份证(?:号码|号|件号码)?|公民身份号码|身份号码|证件号码)\s*(?:[:：]\s*)?(\d{15})(?![0-9A-Za-z])/g;
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
  for (const m of text.matchAll(ID_GROUPED)) {
    const value = m[0].replace(/[^\dXx]/g, '').toUpperCase();
    if (isResidentIdNumber(value)) hits.push({ code: 'personal_id_number', start: m.index, end: m.index + m[0].length, masked: maskIdNumber(value) });
  }
  for (const m of text.matchAll(ID_FIRST_GENERATION)) {
    const start = m.index + m[0].length - 15;
    if (isFirstGenerationIdNumber(m[1]!) && !taken(start, start + 15))
      hits.push({ code: 'personal_id_number', start, end: start + 15, masked: maskIdNumber(m[1]!) });
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
