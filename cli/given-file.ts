/**
 * Files a person names on the command line (`--file package.json`, `media add photo.jpg`, `--faults
 * rules.json`; `-` for standard input): read whole but never past what the command can use, so
 * `--file /dev/zero` or a mistaken 2 GB dump is refused at once instead of filling memory, and every
 * refusal says what is wrong with the path in both languages, never a bare `EISDIR`.
 */
import fs from 'node:fs';
import { GovpubError } from '../domain/errors.js';

/** What the command expected at the path, for the refusal: "a package's JSON file" / "发布包的 JSON 文件". */
export interface GivenFileKind {
  what: string;
  whatZh: string;
}

/** What a file-system error code means to the person who typed the path (also cli/output.ts's refusals). */
export const FILE_SYSTEM_CAUSES: Readonly<Record<string, [string, string]>> = {
  EEXIST: ['a file of that name is in the way', '该位置已有同名文件'],
  ENOTDIR: ['part of the path is a file, not a directory', '路径中的某一段是文件而不是目录'],
  EISDIR: ['it is a directory', '该位置是目录'],
  EACCES: ['permission denied', '没有权限'],
  EPERM: ['not permitted', '不允许该操作'],
  EROFS: ['the file system is read-only', '文件系统为只读'],
  ENOSPC: ['the disk is full', '磁盘已满'],
  ENOENT: ['no such file or directory', '文件或目录不存在'],
  ELOOP: ['its symbolic links go round in a circle', '符号链接循环'],
  ENAMETOOLONG: ['the path is too long', '路径过长'],
};

/** The refusal for a path that cannot be read (the error from stat, open or read). */
export function unreadableFile(file: string, error: unknown, kind: GivenFileKind): GovpubError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return directoryGiven(file, kind);
  const [cause, causeZh] = (code && FILE_SYSTEM_CAUSES[code]) ?? [(error as Error).message, (error as Error).message];
  const next = code === 'ENOENT' ? ' Check the path.' : '';
  const nextZh = code === 'ENOENT' ? '请检查路径。' : '';
  return new GovpubError(
    'file_unreadable',
    `Cannot read ${file}: ${cause}${code ? ` (${code})` : ''}. Nothing was sent.${next}`,
    { file, ...(code ? { cause: code } : {}) },
    { zh: `无法读取 ${file}：${causeZh}${code ? `（${code}）` : ''}。未发送任何内容。${nextZh}` },
  );
}

function directoryGiven(file: string, kind: GivenFileKind): GovpubError {
  return new GovpubError(
    'file_unreadable',
    `${file} is a directory, not a file: give ${kind.what}.`,
    { file, cause: 'EISDIR' },
    { zh: `${file} 是目录而不是文件：请指定${kind.whatZh}。` },
  );
}

/** The refusal for a path that is there but is no regular file (a device, a socket). */
export function notAFile(file: string, stat: fs.Stats, kind: GivenFileKind): GovpubError {
  if (stat.isDirectory()) return directoryGiven(file, kind);
  return new GovpubError(
    'file_unreadable',
    `${file} is not a regular file (a device, a pipe or a socket): give ${kind.what}.`,
    { file },
    { zh: `${file} 不是普通文件（是设备、管道或套接字）：请指定${kind.whatZh}。` },
  );
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/**
 * Reads `file` (`-`: standard input, a pipe) whole, refusing a directory and anything longer than
 * `maxBytes` before reading further. Pipes and process substitutions (`<(…)`) are read like files.
 */
export function readGivenFile(file: string, kind: GivenFileKind & { maxBytes: number; limitReason: string; limitReasonZh: string }): Buffer {
  let fd: number;
  let opened = false;
  try {
    if (file === '-') {
      fd = 0;
      // Typed rather than piped: say what is awaited, or the command looks hung.
      if (process.stdin.isTTY) process.stderr.write(`govpub: reading ${kind.what} from the terminal; end it with Ctrl+D\n`);
    } else {
      fd = fs.openSync(file, 'r');
      opened = true;
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory() || stat.isSocket()) throw notAFile(file, stat, kind);
    }
  } catch (error) {
    if (error instanceof GovpubError) throw error;
    throw unreadableFile(file, error, kind);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(1 << 16);
    for (;;) {
      let read: number;
      try {
        read = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // Standard input left non-blocking by the shell: wait a moment and read on.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        throw unreadableFile(file === '-' ? 'standard input' : file, error, kind);
      }
      if (read === 0) break;
      total += read;
      if (total > kind.maxBytes) {
        const name = file === '-' ? 'What came on standard input' : file;
        const nameZh = file === '-' ? '标准输入的内容' : file;
        throw new GovpubError(
          'file_too_large',
          `${name} is larger than ${megabytes(kind.maxBytes)}, ${kind.limitReason}: nothing was sent. Check that it is ${kind.what}.`,
          { file, limitBytes: kind.maxBytes },
          { zh: `${nameZh} 超过 ${megabytes(kind.maxBytes)}，${kind.limitReasonZh}：未发送任何内容。请确认它是${kind.whatZh}。` },
        );
      }
      chunks.push(Buffer.from(chunk.subarray(0, read)));
    }
    return Buffer.concat(chunks);
  } finally {
    if (opened) fs.closeSync(fd);
  }
}
