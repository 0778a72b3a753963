/**
 * favicon.ico: a 16×16 icon drawn here (a red square with a white 政-like bar motif), so the site
 * needs no binary asset in the repository. ICO = a 6-byte header, one 16-byte directory entry and a
 * 32-bit BMP (bottom-up rows, BGRA) followed by its 1-bit AND mask.
 */
const SIZE = 16;

function pixel(x: number, y: number): [number, number, number, number] {
  const red: [number, number, number, number] = [0x1a, 0x1a, 0xb7, 0xff]; // #b71a1a as BGRA
  const white: [number, number, number, number] = [0xff, 0xff, 0xff, 0xff];
  const border = x === 0 || y === 0 || x === SIZE - 1 || y === SIZE - 1;
  const bar = (y === 4 || y === 8 || y === 12) && x >= 4 && x <= 11;
  const stem = x === 8 && y >= 4 && y <= 12;
  return !border && (bar || stem) ? white : red;
}

let cached: Uint8Array | null = null;

export function favicon(): Uint8Array {
  if (cached) return cached;
  const pixels = SIZE * SIZE * 4;
  const mask = SIZE * 4; // 16 one-bit pixels padded to 32 bits per row
  const bmp = 40 + pixels + mask;
  const out = Buffer.alloc(6 + 16 + bmp);
  out.writeUInt16LE(0, 0);
  out.writeUInt16LE(1, 2); // icon
  out.writeUInt16LE(1, 4); // one image
  out.writeUInt8(SIZE, 6);
  out.writeUInt8(SIZE, 7);
  out.writeUInt8(0, 8); // no palette
  out.writeUInt8(0, 9);
  out.writeUInt16LE(1, 10); // planes
  out.writeUInt16LE(32, 12); // bits per pixel
  out.writeUInt32LE(bmp, 14);
  out.writeUInt32LE(22, 18);
  let at = 22;
  out.writeUInt32LE(40, at);
  out.writeInt32LE(SIZE, at + 4);
  out.writeInt32LE(SIZE * 2, at + 8); // XOR image + AND mask
  out.writeUInt16LE(1, at + 12);
  out.writeUInt16LE(32, at + 14);
  out.writeUInt32LE(0, at + 16);
  out.writeUInt32LE(pixels + mask, at + 20);
  at += 40;
  for (let row = SIZE - 1; row >= 0; row--) {
    for (let x = 0; x < SIZE; x++) {
      for (const byte of pixel(x, row)) out.writeUInt8(byte, at++);
    }
  }
  // The AND mask stays zero: every pixel opaque.
  cached = new Uint8Array(out);
  return cached;
}
