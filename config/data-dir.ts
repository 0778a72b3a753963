/**
 * Creating the data directory (GOVPUB_DATA_DIR) and the folders under it. Node's recursive mkdir
 * reports a read-only or foreign parent as `ENOENT: no such file or directory`, which every command
 * then printed as "unexpected error": the operator learned neither that the place cannot be written
 * nor which setting chose it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';

/** Creates `dir` (the data directory or a folder under it), or says why it cannot and what to do. */
export function makeDataDir(dir: string, dataDir: string = dir): void {
  try {
    makeDirs(dir);
    // A folder in it, made and removed: access(W_OK) says yes to root on a place that takes no
    // new entries (a pseudo file system such as /proc), where every later write would fail.
    fs.rmdirSync(fs.mkdtempSync(path.join(dir, '.govpub-writable-')));
  } catch (error) {
    throw dataDirUnwritable(dir, dataDir, error as NodeJS.ErrnoException);
  }
}

/**
 * mkdir -p, one level at a time from the nearest folder that exists. Node's recursive mkdir never
 * returns under /proc (the child is ENOENT while its parent exists, so it retries forever).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !fs.existsSync(current); current = path.dirname(current)) {
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing.reverse()) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function dataDirUnwritable(dir: string, dataDir: string, error: NodeJS.ErrnoException): GovpubError {
  const blocker = nearestExisting(path.resolve(dir));
  const where = blocker === path.resolve(dir) ? dir : blocker;
  const why = whyNotWritable(blocker, where, error);
  return new GovpubError(
    'data_dir_unwritable',
    `The data directory ${dataDir} (GOVPUB_DATA_DIR) cannot be written: ${where} ${why.en}. ` +
      `Set GOVPUB_DATA_DIR to a directory this user may write (it is created), or ${why.fixEn}.`,
    { dataDir, path: where, errno: why.code },
    {
      zh: `数据目录 ${dataDir}（GOVPUB_DATA_DIR）无法写入：${where}${why.zh}。请将 GOVPUB_DATA_DIR 设为当前用户可写的目录（不存在时会自动创建），或${why.fixZh}。`,
    },
  );
}

/** The path itself, or its nearest ancestor that exists: where creating or writing stopped. */
function nearestExisting(target: string): string {
  let current = target;
  while (!fs.existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

function whyNotWritable(place: string, where: string, error: NodeJS.ErrnoException): { code: string; en: string; zh: string; fixEn: string; fixZh: string } {
  const makeWritable = { fixEn: `make ${where} writable`, fixZh: `使 ${where} 可写` };
  let code = error.code ?? 'unknown';
  try {
    if (!fs.statSync(place).isDirectory()) code = 'ENOTDIR';
    else fs.accessSync(place, fs.constants.W_OK);
  } catch (checked) {
    code = (checked as NodeJS.ErrnoException).code ?? code;
  }
  switch (code) {
    case 'EROFS':
      return { code, en: 'is on a read-only file system', zh: ' 位于只读文件系统上', fixEn: `mount ${where} read-write`, fixZh: `将 ${where} 挂载为可写` };
    case 'EACCES':
    case 'EPERM':
      return { code, en: 'may not be written by this user', zh: ' 当前用户无写入权限', ...makeWritable };
    case 'ENOTDIR':
      return { code, en: 'is a file, not a directory', zh: ' 是文件而不是目录', fixEn: `move that file away`, fixZh: `移走该文件` };
    case 'ENOSPC':
      return { code, en: 'is on a full disk', zh: ' 所在磁盘已满', fixEn: `free space there`, fixZh: `清理该磁盘空间` };
    default:
      return { code, en: `cannot be written (${code}: ${error.message})`, zh: ` 无法写入（${code}）`, ...makeWritable };
  }
}
