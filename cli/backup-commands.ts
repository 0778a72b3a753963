/**
 * `govpub backup FILE` and `govpub restore FILE`: the embedded default's state (database, media,
 * the Temporal dev server's history, portal web root) in one file and back (runtime/backup.ts).
 * Local administration: they open the data directory themselves, with govpub stopped.
 */
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { atBeijing, inChinese, printJson } from './output.js';

function summary(manifest: import('../runtime/backup.js').BackupManifest): string[] {
  const t = manifest.tables;
  const zh = inChinese();
  const history = manifest.temporal;
  const temporal =
    history.history === 'included'
      ? zh
        ? 'Temporal 开发服务器历史：已包含'
        : "Temporal dev server's history: included"
      : history.history === 'external'
        ? zh
          ? `Temporal 历史：不在备份中（由 ${history.address} 的服务器保存）`
          : `Temporal history: not in the backup (the server at ${history.address} keeps it)`
        : zh
          ? 'Temporal 历史：无（govpub start 尚未在此运行开发服务器）'
          : 'Temporal history: none (govpub start has not run its dev server here)';
  return zh
    ? [
        `  稿件 ${t.packages ?? 0}，审计记录 ${t.audit_log ?? 0}，用户 ${t.users ?? 0}，发布任务 ${t.deliveries ?? 0}（共 ${Object.keys(t).length} 张表）`,
        `  媒体文件 ${manifest.media.files} 个（${manifest.media.bytes} 字节），门户网站文件 ${manifest.portal.files} 个`,
        `  ${temporal}；开发用密钥：${manifest.secrets ? '已包含' : '未包含'}`,
      ]
    : [
        `  packages ${t.packages ?? 0}, audit entries ${t.audit_log ?? 0}, users ${t.users ?? 0}, deliveries ${t.deliveries ?? 0} (${Object.keys(t).length} tables)`,
        `  media files ${manifest.media.files} (${manifest.media.bytes} bytes), portal files ${manifest.portal.files}`,
        `  ${temporal}; development secrets: ${manifest.secrets ? 'included' : 'not included'}`,
      ];
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup <file>')
    .description(
      "Back up the embedded default into FILE (a tar): the database, media files, the Temporal dev server's history and the portal web root; govpub must be stopped",
    )
    .option('--include-secrets', 'also include the development secrets file (dev-secrets.yaml); never included otherwise')
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, options: { includeSecrets?: boolean; json?: boolean }) => {
      const { createBackup } = await import('../runtime/backup.js');
      const report = await createBackup(loadSettings(), file, { includeSecrets: options.includeSecrets });
      if (options.json) return printJson(report);
      console.log(
        inChinese()
          ? `已备份到 ${report.file}（${report.bytes} 字节，仅当前用户可读）：`
          : `backed up to ${report.file} (${report.bytes} bytes, readable by you only):`,
      );
      for (const line of summary(report.manifest)) console.log(line);
    });

  program
    .command('restore <file>')
    .description(
      'Restore a backup from govpub backup into the data directory (GOVPUB_DATA_DIR); govpub must be stopped, and the directory empty unless --replace',
    )
    .option('--replace', 'set what the data directory holds aside (renamed to <name>.replaced-<time>) and restore over it')
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, options: { replace?: boolean; json?: boolean }) => {
      const { restoreBackup } = await import('../runtime/backup.js');
      const report = await restoreBackup(loadSettings(), file, { replace: options.replace });
      if (options.json) return printJson(report);
      const zh = inChinese();
      console.log(
        zh
          ? `已从 ${report.file} 恢复到 ${report.dataDir}（备份时间 ${atBeijing(report.manifest.createdAt)}）：`
          : `restored ${report.file} into ${report.dataDir} (backed up at ${atBeijing(report.manifest.createdAt)}):`,
      );
      for (const line of summary(report.manifest)) console.log(line);
      for (const aside of report.setAside) console.log(zh ? `  原有内容已移到 ${aside}` : `  what was there is now ${aside}`);
      console.log(
        zh
          ? '下一步：govpub start；之后运行 govpub packages repair --all --dry-run，核对稿件与工作流是否一致。'
          : 'next: govpub start; then govpub packages repair --all --dry-run to check that packages agree with their workflows.',
      );
    });
}
