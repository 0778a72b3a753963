/**
 * The site's static assets besides the stylesheet: assets/site.js (the elder-friendly mode
 * toggle) and favicon.ico. Both are constants, so every generation carries the same bytes.
 */

export const SITE_JS_PATH = 'assets/site.js';
export const FAVICON_PATH = 'favicon.ico';

/** localStorage key of the elder-friendly mode ('1' = on). */
export const ELDER_MODE_KEY = 'govpub-portal-elder';

/**
 * Loaded in every page's head (CSP script-src 'self' allows no inline script). It sets
 * `html.elder` before the body is painted when the reader chose it, and shows the toggle button
 * (hidden in the markup: without JavaScript there is nothing to toggle, and the page reads the same).
 * Storage may be refused (private windows, policies): the mode then lasts for the page only.
 */
export const SITE_JS = `/* govpub portal: 适老化模式 (elder-friendly mode), remembered in localStorage */
(function () {
  'use strict';
  var KEY = '${ELDER_MODE_KEY}';
  var root = document.documentElement;
  function remembered() {
    try { return window.localStorage.getItem(KEY) === '1'; } catch (e) { return false; }
  }
  function remember(on) {
    try {
      if (on) window.localStorage.setItem(KEY, '1');
      else window.localStorage.removeItem(KEY);
    } catch (e) { /* storage refused: the mode lasts for this page */ }
  }
  function show(on, button) {
    root.classList.toggle('elder', on);
    if (button) button.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  show(remembered(), null);
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.getElementById('elder-toggle');
    if (!button) return;
    button.hidden = false;
    show(root.classList.contains('elder'), button);
    button.addEventListener('click', function () {
      var on = !root.classList.contains('elder');
      remember(on);
      show(on, button);
    });
  });
})();
`;

/**
 * favicon.ico: one 32×32 image (32-bit BMP inside an ICO), a white five-pointed star on the
 * site's red, drawn here so no image file has to be kept in the repository.
 */
export function faviconIco(): Uint8Array {
  const size = 32;
  const red = [0x1b, 0x17, 0xa8, 0xff]; // BGRA of #a8171b
  const white = [0xff, 0xff, 0xff, 0xff];
  const star = starPolygon(size / 2, size / 2 + 1, 13, 5.2);
  const pixels = new Uint8Array(size * size * 4);
  for (let row = 0; row < size; row++) {
    // BMP rows run bottom-up; y is measured from the top like on screen.
    const y = size - 1 - row + 0.5;
    for (let x = 0; x < size; x++) {
      const colour = insidePolygon(x + 0.5, y, star) ? white : red;
      pixels.set(colour, (row * size + x) * 4);
    }
  }
  const maskRowBytes = 4; // 32 bits per row, all opaque
  const header = 40;
  const imageBytes = header + pixels.length + maskRowBytes * size;
  const out = new Uint8Array(6 + 16 + imageBytes);
  const view = new DataView(out.buffer);
  // ICONDIR
  view.setUint16(0, 0, true);
  view.setUint16(2, 1, true); // icon
  view.setUint16(4, 1, true); // one image
  // ICONDIRENTRY
  out[6] = size;
  out[7] = size;
  out[8] = 0; // no palette
  out[9] = 0;
  view.setUint16(10, 1, true); // planes
  view.setUint16(12, 32, true); // bits per pixel
  view.setUint32(14, imageBytes, true);
  view.setUint32(18, 22, true); // offset of the image
  // BITMAPINFOHEADER (height counts the XOR image and the AND mask)
  const at = 22;
  view.setUint32(at, header, true);
  view.setInt32(at + 4, size, true);
  view.setInt32(at + 8, size * 2, true);
  view.setUint16(at + 12, 1, true);
  view.setUint16(at + 14, 32, true);
  view.setUint32(at + 16, 0, true); // BI_RGB
  view.setUint32(at + 20, pixels.length + maskRowBytes * size, true);
  out.set(pixels, at + header);
  // The AND mask stays all zero: every pixel opaque.
  return out;
}

function starPolygon(cx: number, cy: number, outer: number, inner: number): [number, number][] {
  const points: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    // Screen coordinates (y down): the first point, at -90°, is the top of the star.
    points.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  }
  return points;
}

/** Even-odd rule. */
function insidePolygon(x: number, y: number, polygon: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
