/**
 * Every media error thrown under media/ carries its own Chinese sentence (what is wrong with this
 * file, by how much, what to do), not the code's generic one from domain/messages-zh.ts: the
 * console shows the Chinese, and "视频或音频时长超过平台上限" says neither which platform nor by how much.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GovpubError } from '../../domain/errors.js';
import { ZH_MESSAGES } from '../../domain/messages-zh.js';
import { fakeVideoProbe } from './fixtures.js';
import { preflight } from '../../media/renditions.js';

const MEDIA_DIR = path.resolve(import.meta.dirname, '../../media');

/** The index just past the `)` that closes the call whose `(` is at `open`, skipping strings and template literals. */
function callEnd(src: string, open: number): number {
  // Each frame: a template literal, or code (inside the call or a template's ${…}) with its bracket depth.
  const stack: { mode: 'code' | 'template'; depth: number }[] = [{ mode: 'code', depth: 0 }];
  for (let i = open; i < src.length; i++) {
    const frame = stack[stack.length - 1]!;
    const c = src[i]!;
    if (frame.mode === 'template') {
      if (c === '\\') i++;
      else if (c === '`') stack.pop();
      else if (c === '$' && src[i + 1] === '{') {
        stack.push({ mode: 'code', depth: 1 });
        i++;
      }
      continue;
    }
    if (c === "'" || c === '"') {
      for (i++; src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '`') stack.push({ mode: 'template', depth: 0 });
    else if (c === '(' || c === '[' || c === '{') frame.depth++;
    else if (c === ')' || c === ']' || c === '}') {
      frame.depth--;
      if (frame.depth === 0) {
        if (stack.length === 1) return i + 1;
        stack.pop(); // the end of a template's ${…}
      }
    }
  }
  throw new Error(`unclosed call at ${open}`);
}

/** Every `new GovpubError('media_…', …)` under media/: file, code and the call's text. */
function mediaErrorCalls(): { file: string; code: string; call: string }[] {
  const calls: { file: string; code: string; call: string }[] = [];
  for (const name of readdirSync(MEDIA_DIR).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(path.join(MEDIA_DIR, name), 'utf8');
    for (const m of src.matchAll(/new GovpubError\(\s*'(media_[a-z_]+)'/g)) {
      const open = m.index + m[0].indexOf('(');
      calls.push({ file: `media/${name}`, code: m[1]!, call: src.slice(m.index, callEnd(src, open)) });
    }
  }
  return calls;
}

describe('Chinese sentences of media errors', () => {
  it('every media error thrown under media/ passes its own Chinese sentence (zh), not the generic one of its code', () => {
    const calls = mediaErrorCalls();
    // The scan finds the throws (a broken scan would pass vacuously).
    expect(calls.length).toBeGreaterThan(30);
    expect(calls.map((c) => c.code)).toEqual(expect.arrayContaining(['media_too_long', 'media_cap_unreachable', 'media_corrupt', 'media_too_large']));
    const withoutZh = calls.filter((c) => !/\bzh:/.test(c.call)).map((c) => `${c.file}: ${c.code}: ${c.call.slice(0, 160)}`);
    expect(withoutZh).toEqual([]);
  });

  it('a video too long for Douyin and one that cannot fit WeChat’s 10 MB say in Chinese which file, which platform and by how much', () => {
    const problems = preflight(fakeVideoProbe(3600), ['wechat_oa.video', 'douyin.video_720'], '区政府常务会议.mp4');
    const [cap, long] = problems.map((p) => p.error as GovpubError);
    expect(cap!.code).toBe('media_cap_unreachable');
    expect(cap!.messageZh).not.toBe(ZH_MESSAGES.media_cap_unreachable);
    expect(cap!.messageZh).toMatch(
      /^「区政府常务会议\.mp4」时长 1 小时：在微信公众号的大小上限 10 MB 内，画面只能分到 \d+ kbps，低于 \d+×\d+ 画面清晰可看所需的 \d+ kbps。约 \d+ 分(钟| \d+ 秒) 以内的视频才能放下：请剪短视频后重新上传。$/,
    );
    expect(long!.code).toBe('media_too_long');
    expect(long!.messageZh).toBe('「区政府常务会议.mp4」时长 1 小时，超过抖音的时长上限 15 分钟（超出 45 分钟）。请剪短（或分成几段）后重新上传。');
  });
});
