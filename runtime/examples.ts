/**
 * The example packages in `examples/` (a policy with its cover, a text and a video
 * interpretation; a news item), loaded into a running govpub through its HTTP API with a token:
 * the media files are uploaded (POST /api/media), their ids filled in where a package file says
 * `{{media:<file>}}`, and the packages created (POST /api/packages) and, when asked, submitted.
 *
 * It talks to the API only (no database, no Temporal), as any script of the district would.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import { statusZh } from '../domain/messages-zh.js';

export const EXAMPLES_DIR = path.join(ROOT_DIR, 'examples');
/** Media kinds as the console's media library names them. */
const KIND_ZH: Record<string, string> = { image: '图片', video: '视频', audio: '音频', document: '文档（附件）', captions: '字幕' };
const PLACEHOLDER = /\{\{media:([^{}]+)\}\}/g;

export interface ExampleLoadOptions {
  /** The API's base URL, e.g. http://127.0.0.1:8080. */
  apiUrl: string;
  /** A user's bearer token (`govpub users add` prints it); the user must be allowed to upload and create (editor, admin). */
  token: string;
  /** Where the package files (`*.json`) and their `media/` folder are; default the repository's examples/. */
  dir?: string;
  /** Only these package files (names with or without `.json`). */
  only?: string[];
  /** Also submit each package for review. */
  submit?: boolean;
  /** Create a package again even when one with the same title exists. */
  again?: boolean;
  log?: (line: string) => void;
  /** `log` in Chinese (the CLI with GOVPUB_LANG=zh); the result is the same either way. */
  zh?: boolean;
}

export interface LoadedMedia {
  file: string;
  id: string;
  kind: string;
  /** False when the same bytes were uploaded before. */
  created: boolean;
  warnings: string[];
}

export interface LoadedPackage {
  file: string;
  title: string;
  id: string;
  revision: number;
  status: string;
  /** False when a package with this title already existed and was left as it is. */
  created: boolean;
  /** Media ids by file name. */
  media: Record<string, string>;
}

/** The package files of an examples folder, in name order. */
export function exampleFiles(dir = EXAMPLES_DIR): string[] {
  if (!fs.existsSync(dir)) throw new GovpubError('examples_missing', `There is no examples folder at ${dir}.`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** The media files a package file refers to (`{{media:<file>}}`), each once, in order. */
export function mediaReferences(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()))];
}

/** The package body with each `{{media:<file>}}` replaced by that file's media id. */
export function fillMediaIds(text: string, ids: Record<string, string>, file = 'the package file'): unknown {
  const filled = text.replace(PLACEHOLDER, (_whole, name: string) => {
    const id = ids[name.trim()];
    if (!id) throw new GovpubError('examples_media_missing', `${file} refers to {{media:${name}}}, which was not uploaded.`);
    return id;
  });
  try {
    return JSON.parse(filled);
  } catch (error) {
    throw new GovpubError('examples_invalid', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** One API call; API errors become GovpubErrors with the API's code, message and field issues. */
async function api<T>(
  options: Pick<ExampleLoadOptions, 'apiUrl' | 'token'>,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const url = `${options.apiUrl.replace(/\/+$/, '')}${route}`;
  const init: RequestInit = { method, headers: { authorization: `Bearer ${options.token}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new GovpubError(
      'api_unreachable',
      `Cannot reach the govpub API at ${options.apiUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}). Is \`govpub start\` (\`npm start\`) running? Point to it with --api or GOVPUB_API_URL.`,
    );
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: { code: 'not_json', message: text.slice(0, 300) } };
  }
  if (response.status === 401) {
    throw new GovpubError(
      'unauthorized',
      `The API at ${options.apiUrl} refused the token (${(parsed as { error?: { message?: string } })?.error?.message ?? 'unauthorized'}). Create a user with \`govpub users add admin --role admin\` and pass the token it prints (--token or GOVPUB_TOKEN).`,
    );
  }
  if (response.status >= 400) {
    const error = (parsed as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } })?.error ?? {};
    const issues = error.issues?.length ? `\n${error.issues.map((i) => `  - ${i.path || '(body)'}: ${i.message}`).join('\n')}` : '';
    throw new GovpubError(error.code ?? 'api_error', `${method} ${route}: HTTP ${response.status}: ${error.message ?? text.slice(0, 300)}${issues}`, {
      status: response.status,
    });
  }
  return { status: response.status, body: parsed as T };
}

async function upload(options: ExampleLoadOptions, mediaDir: string, name: string): Promise<LoadedMedia & { warningsZh?: string[] }> {
  const file = path.resolve(mediaDir, name);
  if (path.dirname(file) !== path.resolve(mediaDir) || !fs.existsSync(file)) {
    throw new GovpubError('examples_media_missing', `The example media file ${name} is not in ${mediaDir}.`);
  }
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(file)]), name);
  const { status, body } = await api<{ id: string; kind: string; warnings?: string[]; warningsZh?: string[] }>(options, 'POST', '/api/media', form);
  return { file: name, id: body.id, kind: body.kind, created: status === 201, warnings: body.warnings ?? [], warningsZh: body.warningsZh };
}

/**
 * Uploads the examples' media and creates their packages (optionally submitting them), through
 * the API. A package whose title already exists is left alone (unless `again`), so loading twice
 * creates nothing twice; uploading the same bytes again finds the same media.
 */
export async function loadExamples(options: ExampleLoadOptions): Promise<{ media: LoadedMedia[]; packages: LoadedPackage[] }> {
  const dir = options.dir ?? EXAMPLES_DIR;
  const log = options.log ?? (() => {});
  const zh = options.zh === true;
  const wanted = options.only?.map((n) => (n.endsWith('.json') ? n : `${n}.json`));
  const files = exampleFiles(dir).filter((f) => !wanted || wanted.includes(f));
  for (const name of wanted ?? []) {
    if (!files.includes(name)) throw new GovpubError('examples_unknown', `No example ${name} in ${dir}; there are: ${exampleFiles(dir).join(', ')}.`);
  }
  const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

  const media: LoadedMedia[] = [];
  const ids: Record<string, string> = {};
  for (const name of [...new Set([...texts.values()].flatMap(mediaReferences))]) {
    const { warningsZh, ...uploaded } = await upload(options, path.join(dir, 'media'), name);
    media.push(uploaded);
    ids[name] = uploaded.id;
    if (zh) {
      log(`媒体  ${name}：${KIND_ZH[uploaded.kind] ?? uploaded.kind} ${uploaded.id.slice(0, 12)}…${uploaded.created ? '' : '（此前已上传）'}`);
      for (const warning of warningsZh ?? uploaded.warnings) log(`      说明：${warning}`);
      continue;
    }
    log(`media    ${name}: ${uploaded.kind} ${uploaded.id.slice(0, 12)}…${uploaded.created ? '' : ' (already uploaded)'}`);
    for (const warning of uploaded.warnings) log(`         note: ${warning}`);
  }

  /** A package already loaded under this title (searched by title, so it is found however many packages exist). */
  const existingWithTitle = async (title: string | undefined) => {
    if (options.again || !title) return undefined;
    const found = await api<{ packages: { id: string; title: string; status: string; revision: number; returned: { stageName: string } | null }[] }>(
      options,
      'GET',
      `/api/packages?limit=200&q=${encodeURIComponent(title)}`,
    );
    return found.body.packages.find((p) => p.title === title);
  };
  const packages: LoadedPackage[] = [];
  for (const file of files) {
    const text = texts.get(file)!;
    const body = fillMediaIds(text, ids, file) as { title?: string };
    const used = Object.fromEntries(mediaReferences(text).map((n) => [n, ids[n]!]));
    const same = await existingWithTitle(body.title);
    if (same) {
      // `load` then `load --submit` (the README's command): the draft the first one left is submitted now.
      const submitNow = options.submit && same.status === 'draft' && !same.returned;
      const status = submitNow
        ? (await api<{ status: string }>(options, 'POST', `/api/packages/${encodeURIComponent(same.id)}/submit`)).body.status
        : same.status;
      packages.push({ file, title: same.title, id: same.id, revision: same.revision, status, created: false, media: used });
      const sentBack = options.submit && same.returned ? same.returned.stageName : null;
      if (zh)
        log(
          `稿件  ${file}：已存在，编号 ${same.id}（${submitNow ? `现已提交：${statusZh(status)}` : statusZh(same.status)}）${sentBack ? `；审核人已在${sentBack}退回，不原样再次提交` : ''}；加 --again 可再创建一份`,
        );
      else {
        const returned = sentBack ? `; a reviewer sent it back at ${sentBack}, so it is not submitted again as it is` : '';
        log(`package  ${file}: already there as ${same.id} (${submitNow ? `submitted now: ${status}` : same.status})${returned}; --again creates another`);
      }
      continue;
    }
    const created = (await api<{ id: string; revision: number; status: string }>(options, 'POST', '/api/packages', body)).body;
    let status = created.status;
    if (options.submit) status = (await api<{ status: string }>(options, 'POST', `/api/packages/${encodeURIComponent(created.id)}/submit`)).body.status;
    packages.push({ file, title: body.title ?? '', id: created.id, revision: created.revision, status, created: true, media: used });
    log(
      zh
        ? `稿件  ${file}：已创建 ${created.id}「${body.title}」（${statusZh(status)}）`
        : `package  ${file}: created ${created.id} "${body.title}" (${status})`,
    );
  }
  return { media, packages };
}
