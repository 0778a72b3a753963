/**
 * Runs in a child process whose PATH holds no ffmpeg or ffprobe (see bundled-binaries.test.ts):
 * resolves the media binaries as the worker would, makes a clip with the ffmpeg it found, uploads
 * it into a media store (ingestUpload, what POST /api/media does after the multipart parsing:
 * store, then probe), transcodes it to the portal's 720p rendition, and prints one JSON object
 * describing what happened.
 *
 *   node --import tsx test/media/bundled-binaries-child.ts WORK_DIR
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { getFfmpeg, getFfprobe } from '../../media/binaries.js';
import { mediaCounters } from '../../media/process.js';
import { ingestUpload, prepareRendition } from '../../media/renditions.js';
import { LocalMediaStore } from '../../media/store.js';
import { makeClip } from './fixtures.js';

const workDir = process.argv[2];
if (!workDir) throw new Error('usage: bundled-binaries-child.ts WORK_DIR');

/** Every ffmpeg/ffprobe a shell would find on this process's PATH (the test expects none). */
const visibleOnPath = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter(Boolean)
  .flatMap((dir) => ['ffmpeg', 'ffprobe'].map((name) => path.join(dir, name)))
  .filter((file) => existsSync(file));

const ffmpeg = await getFfmpeg();
const ffprobe = await getFfprobe();

const clip = path.join(workDir, 'upload.mp4');
makeClip(ffmpeg.path, clip, { width: 640, height: 360, seconds: 2, fps: 25 });

const store = new LocalMediaStore(path.join(workDir, 'store'));
const upload = await ingestUpload(store, createReadStream(clip), { label: 'upload.mp4' });
const rendition = await prepareRendition(store, upload.sha256, 'portal.video_720', { label: 'upload.mp4' });

// The rendition as the bundled ffprobe reads it.
const check = spawnSync(ffprobe.path, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', rendition.path], { encoding: 'utf8' });
if (check.status !== 0) throw new Error(`ffprobe of the rendition failed: ${check.stderr}`);
const renditionInfo = JSON.parse(check.stdout) as { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[] };

process.stdout.write(
  JSON.stringify({
    visibleOnPath,
    ffmpeg,
    ffprobe,
    probe: upload.probe,
    rendition: { width: rendition.width, height: rendition.height, mime: rendition.mime, sizeBytes: rendition.sizeBytes },
    renditionStreams: renditionInfo.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name, width: s.width, height: s.height })),
    counters: mediaCounters,
  }) + '\n',
);
