/** Runtime records under `<data dir>/run/`: how local processes find each other. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a runtime record (`<data dir>/run/*.json`) for other processes to find: its directory is
 * created first (a fresh GOVPUB_DATA_DIR has none, and with DATABASE_URL nothing else makes it),
 * and the file appears whole (written aside, then renamed), so a reader never sees half of it.
 */
export function writeRuntimeRecord(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value));
  fs.renameSync(tmp, file);
}
