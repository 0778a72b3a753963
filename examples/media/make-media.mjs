#!/usr/bin/env node
// Makes the example media files in this folder (committed; run again only to change them):
//   cover.jpg           1600×900 photo-like cover, with camera EXIF and a GPS position, like a
//                       phone photo: govpub keeps it in the original only, never in what it publishes
//   measures.png        1200×800 infographic for the policy text (<img> in the body)
//   news.jpg            1600×1067 news photo (also with GPS)
//   interpretation.mp4  5 s 1280×720 H.264/AAC video interpretation
// Needs sharp (a govpub dependency), ffmpeg on PATH and a CJK font (fonts-noto-cjk).
//   node examples/media/make-media.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = path.dirname(fileURLToPath(import.meta.url));
const font = "font-family=\"Noto Sans CJK SC, Noto Sans CJK, sans-serif\"";
const gps = {
  IFD0: { Make: 'ExamplePhone', Model: 'EP-1', Software: 'govpub examples' },
  // 碑林区 (Xi'an): 34°15'30"N 108°56'10"E
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 15/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '108/1 56/1 10/1' },
};

async function grainy(svg, width, height, sigma) {
  const grain = await sharp({ create: { width: Math.round(width / 4), height: Math.round(height / 4), channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma } } })
    .resize(width, height)
    .png({ compressionLevel: 1 })
    .toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: grain, blend: 'soft-light' }]);
}

// The cover: a street scene in flat shapes, with a title band.
const cover = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="900">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb2e5"/><stop offset="1" stop-color="#f3dcb2"/></linearGradient></defs>
  <rect width="1600" height="900" fill="url(#sky)"/>
  <rect x="80" y="330" width="260" height="420" fill="#b5503c"/><rect x="360" y="260" width="220" height="490" fill="#8c6d4f"/>
  <rect x="600" y="380" width="300" height="370" fill="#c9a46b"/><rect x="920" y="300" width="240" height="450" fill="#6d7f8c"/>
  <rect x="1180" y="360" width="340" height="390" fill="#a4483a"/>
  <polygon points="600,380 750,290 900,380" fill="#5b3a29"/>
  <rect x="0" y="750" width="1600" height="150" fill="#54595e"/>
  <g fill="#f4e9c8">${Array.from({ length: 12 }, (_, i) => `<rect x="${110 + (i % 6) * 240}" y="${400 + Math.floor(i / 6) * 120}" width="50" height="60"/>`).join('')}</g>
  <rect x="0" y="40" width="1600" height="150" fill="#b71c1c" opacity="0.85"/>
  <text x="800" y="140" text-anchor="middle" font-size="72" ${font} fill="#fff">促进消费扩容提质 · 碑林在行动</text>
</svg>`;
await (await grainy(cover, 1600, 900, 18)).jpeg({ quality: 78, mozjpeg: true }).withExif(gps).toFile(path.join(here, 'cover.jpg'));

// The infographic: five measures in boxes.
const measures = ['发放消费券', '培育夜间经济', '支持老字号', '扩大文旅消费', '优化消费环境'];
const chart = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
  <rect width="1200" height="800" fill="#fdf6e3"/>
  <text x="600" y="110" text-anchor="middle" font-size="56" ${font} fill="#b71c1c">一图读懂：五项措施</text>
  ${measures.map((m, i) => `<rect x="${100 + (i % 3) * 340}" y="${200 + Math.floor(i / 3) * 260}" width="300" height="200" rx="24" fill="${['#c62828', '#ef6c00', '#2e7d32', '#1565c0', '#6a1b9a'][i]}"/>
  <text x="${250 + (i % 3) * 340}" y="${285 + Math.floor(i / 3) * 260}" text-anchor="middle" font-size="64" ${font} fill="#fff">${i + 1}</text>
  <text x="${250 + (i % 3) * 340}" y="${355 + Math.floor(i / 3) * 260}" text-anchor="middle" font-size="36" ${font} fill="#fff">${m}</text>`).join('\n')}
</svg>`;
await sharp(Buffer.from(chart)).png({ palette: true, colours: 64 }).toFile(path.join(here, 'measures.png'));

// The news photo: volunteers in a square (flat shapes).
const news = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1067">
  <rect width="1600" height="1067" fill="#9fc5e8"/>
  <rect y="640" width="1600" height="427" fill="#c8b89a"/>
  <rect x="200" y="300" width="1200" height="340" fill="#a0522d"/>
  <rect x="260" y="360" width="1080" height="80" fill="#b71c1c"/>
  <text x="800" y="418" text-anchor="middle" font-size="52" ${font} fill="#fff">学雷锋志愿服务进社区</text>
  ${Array.from({ length: 9 }, (_, i) => `<g transform="translate(${180 + i * 150},700)"><circle cx="0" cy="0" r="34" fill="#e0ac8a"/><rect x="-45" y="40" width="90" height="170" rx="20" fill="${i % 2 ? '#c62828' : '#d84315'}"/></g>`).join('')}
</svg>`;
await (await grainy(news, 1600, 1067, 18)).jpeg({ quality: 76, mozjpeg: true }).withExif(gps).toFile(path.join(here, 'news.jpg'));

// The video: a title card over moving gradients, with a tone.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-examples-'));
const title = path.join(tmp, 'title.png');
await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="720">
  <rect x="0" y="250" width="1280" height="220" fill="#000" opacity="0.45"/>
  <text x="640" y="345" text-anchor="middle" font-size="64" ${font} fill="#fff">三分钟读懂</text>
  <text x="640" y="430" text-anchor="middle" font-size="48" ${font} fill="#ffe082">碑林区促进消费扩容提质若干措施</text>
</svg>`)).png().toFile(title);
execFileSync('ffmpeg', [
  '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
  '-f', 'lavfi', '-i', 'gradients=s=1280x720:r=25:d=5:speed=0.03:c0=0xb71c1c:c1=0xef6c00:c2=0x1565c0',
  '-i', title,
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=5',
  '-filter_complex', '[0:v][1:v]overlay=0:0,format=yuv420p[v]',
  '-map', '[v]', '-map', '2:a', '-t', '5',
  '-c:v', 'libx264', '-preset', 'slow', '-crf', '30', '-c:a', 'aac', '-b:a', '48k', '-movflags', '+faststart',
  path.join(here, 'interpretation.mp4'),
]);
fs.rmSync(tmp, { recursive: true, force: true });

for (const f of ['cover.jpg', 'measures.png', 'news.jpg', 'interpretation.mp4']) console.log(`${f}  ${fs.statSync(path.join(here, f)).size} bytes`);
