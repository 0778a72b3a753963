/** Text a person gave as bytes: UTF-8 or a problem that names what it is (UTF-16) or where it breaks. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8 } from '../../domain/utf8.js';

describe('decodeUtf8', () => {
  it('reads UTF-8, keeping a byte-order mark unless told to drop it', () => {
    expect(decodeUtf8(Buffer.from('碑林区 ok'))).toEqual({ text: '碑林区 ok' });
    expect(decodeUtf8(Buffer.from('\ufeff{}'))).toEqual({ text: '\ufeff{}' });
    expect(decodeUtf8(Buffer.from('\ufeff{}'), { dropByteOrderMark: true })).toEqual({ text: '{}' });
    expect(decodeUtf8(Buffer.alloc(0))).toEqual({ text: '' });
  });

  it('names UTF-16 with or without its byte-order mark, either byte order', () => {
    expect(decodeUtf8(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]))).toEqual({ problem: { kind: 'utf16', begins: 'ff fe 7b 00' } });
    expect(decodeUtf8(Buffer.from('# x', 'utf16le'))).toEqual({ problem: { kind: 'utf16', begins: '23 00 20 00' } });
    expect(decodeUtf8(Buffer.from([0xfe, 0xff, 0x00, 0x7b]))).toEqual({ problem: { kind: 'utf16', begins: 'fe ff 00 7b' } });
    expect(decodeUtf8(Buffer.from([0x00, 0x7b, 0x00, 0x7d]))).toEqual({ problem: { kind: 'utf16', begins: '00 7b 00 7d' } });
  });

  it('names the first byte that is not UTF-8 and its line (GBK, a cut sequence, a surrogate encoded)', () => {
    const gbk = Buffer.concat([Buffer.from('a: 1\nname: '), Buffer.from([0xb1, 0xae, 0xc1, 0xd6]), Buffer.from('\n')]);
    expect(decodeUtf8(gbk)).toEqual({ problem: { kind: 'not_utf8', byte: 11, line: 2, bytes: 'b1 ae c1 d6' } });
    expect(decodeUtf8(Buffer.from([0x61, 0xe7, 0xa2]))).toEqual({ problem: { kind: 'not_utf8', byte: 1, line: 1, bytes: 'e7 a2' } });
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toEqual({ problem: { kind: 'not_utf8', byte: 0, line: 1, bytes: 'ed a0 80' } });
    // Counted in the bytes as given, a byte-order mark dropped from the text included.
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff]), { dropByteOrderMark: true })).toEqual({
      problem: { kind: 'not_utf8', byte: 4, line: 1, bytes: 'ff' },
    });
  });
});
