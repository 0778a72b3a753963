/**
 * Bytes a person gave as text (a request body, a file they name, a configuration file) read as
 * UTF-8, strictly: a file saved in GBK or UTF-16 would otherwise be read with its characters
 * replaced by U+FFFD and stored, compared or published garbled. Each reader says the problem in its
 * own words; this finds it.
 */

/** Why bytes are not UTF-8 text: UTF-16 (with what it begins), or the first byte that is not UTF-8 and its line. */
export type EncodingProblem = { kind: 'utf16'; begins: string } | { kind: 'not_utf8'; byte: number; line: number; bytes: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Up to four bytes from `from`, as `ff fe 7b 00`. */
function hexAt(bytes: Uint8Array, from: number): string {
  return [...bytes.subarray(from, from + 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * The text, or why it is not UTF-8. `dropByteOrderMark`: a leading UTF-8 byte-order mark (Windows
 * editors write one) is not part of the text; otherwise it is kept, for the reader to judge.
 */
export function decodeUtf8(bytes: Uint8Array, options: { dropByteOrderMark?: boolean } = {}): { text: string } | { problem: EncodingProblem } {
  // Windows PowerShell 5 writes UTF-16 with `>` and Out-File, Notepad with "Unicode".
  if (looksUtf16(bytes)) return { problem: { kind: 'utf16', begins: hexAt(bytes, 0) } };
  const marked = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    return { text: strictUtf8.decode(options.dropByteOrderMark && marked ? bytes.subarray(3) : bytes) };
  } catch {
    // Counted in the bytes as given, as an editor's or hexdump's offset is.
    const at = firstInvalidUtf8Byte(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line += 1;
    return { problem: { kind: 'not_utf8', byte: at, line, bytes: hexAt(bytes, at) } };
  }
}

/**
 * UTF-16 text: a byte-order mark (ff fe, fe ff), or an ASCII first character with a 00 beside it
 * (`{` as 7b 00 or 00 7b, `#` as 23 00). UTF-8 text never starts with a 00 byte next to another.
 */
function looksUtf16(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const [a, b] = [bytes[0]!, bytes[1]!];
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return true;
  return (a === 0 && b !== 0 && b < 0x80) || (b === 0 && a !== 0 && a < 0x80);
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence (Unicode 15, table 3-7). */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let length = 0;
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}
