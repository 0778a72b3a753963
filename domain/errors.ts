/**
 * Errors a person can act on. Every error govpub shows carries a stable machine-readable `code`
 * and a message that says what is wrong, where, and what to do next.
 */
export class GovpubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GovpubError';
  }
}

/** One problem found in a configuration file, located by file, key path and (when known) line. */
export interface ConfigIssue {
  file: string;
  /** Key path inside the file, e.g. `accounts[3].appId`; empty for file-level problems. */
  path: string;
  message: string;
  line?: number;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Raised when configuration is invalid; lists every problem found, not only the first. */
export class ConfigError extends GovpubError {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'config_invalid',
      `Configuration is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` + issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n'),
      { issues },
    );
    this.name = 'ConfigError';
  }
}
