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
import { assertRenditionFits, preflight } from '../../media/renditions.js';
import { getSpec, type ImageSpec, type VideoSpec } from '../../media/specs.js';

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
    // A Chinese sentence names a rendition by its Chinese name (spec.labelZh), never by its key
    // (wechat_oa.thumb means nothing to an editor).
    const namingKey = calls.filter((c) => /\bzh:[\s\S]*\$\{spec\.key\}/.test(c.call)).map((c) => `${c.file}: ${c.code}: ${c.call.slice(0, 160)}`);
    expect(namingKey).toEqual([]);
  });

  it('a finished rendition over a limit is named in Chinese (its platform and purpose), not by its key', () => {
    const refusal = (r: Parameters<typeof assertRenditionFits>[0]) => {
      try {
        assertRenditionFits(r);
      } catch (error) {
        return error as GovpubError;
      }
      throw new Error(`${r.specKey} fits`);
    };
    const thumb = getSpec('wechat_oa.thumb') as ImageSpec;
    const tooLarge = refusal({ specKey: thumb.key, sizeBytes: thumb.maxBytes! + 1024, width: 900, height: 383, durationSec: undefined });
    expect(tooLarge.code).toBe('media_too_large');
    expect(tooLarge.messageZh).toBe(`转码文件「${thumb.labelZh}」为 65 KB，超过微信公众号的大小上限 64 KB（超出 1 KB），不能发送。请重新生成该转码文件。`);
    const tooSmall = refusal({ specKey: thumb.key, sizeBytes: 1000, width: 300, height: 128, durationSec: undefined });
    expect(tooSmall.code).toBe('media_too_small');
    expect(tooSmall.messageZh).toBe(`转码文件「${thumb.labelZh}」为 300×128，小于微信公众号要求的最小尺寸 450×192，不能发送。请换用更大的原图后重新生成。`);
    const video = getSpec('douyin.video_720') as VideoSpec;
    const tooLong = refusal({ specKey: video.key, sizeBytes: 1000, width: 720, height: 1280, durationSec: video.maxDurationSec! + 60 });
    expect(tooLong.code).toBe('media_too_long');
    expect(tooLong.messageZh.startsWith(`转码文件「${video.labelZh}」时长 `)).toBe(true);
    for (const error of [tooLarge, tooSmall, tooLong]) expect(error.messageZh).not.toMatch(/[a-z_]+\.[a-z0-9_]+/);
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
