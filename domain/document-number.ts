/**
 * 发文字号, a Chinese government document's strongest identity: the issuing organ's code, the year in
 * 六角括号 and the serial, as GB/T 9704-2012 writes it (碑政发〔2026〕3号: no 第, no leading zeros).
 */

/** A document number in its standard form: a year of the People's Republic (1949–2099) and a serial without 虚位 (1, not 01). */
export const DOCUMENT_NUMBER = /^\S+〔(?:19(?:49|[5-9]\d)|20\d\d)〕[1-9]\d*号$/;

/**
 * A number as people type it (碑政发[2026]03号, 碑政发（2026）第3号, with spaces) in its standard form,
 * so one document's number compares equal however it was typed; null when it is no document number.
 */
export function standardDocumentNumber(typed: string): string | null {
  const standard = typed
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[[(（【〔]([0-9]{4})[\])）】〕]/, '〔$1〕')
    .replace(/〕第?0*(\d+)号$/, '〕$1号');
  return DOCUMENT_NUMBER.test(standard) ? standard : null;
}
