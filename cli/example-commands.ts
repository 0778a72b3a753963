/** `govpub examples load`: the example packages of examples/, through the HTTP API with a token. */
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import { printJson, printTable } from './output.js';

/** GOVPUB_API_URL, else the address `govpub start` / `govpub api` listens on (HOST, PORT). */
export function defaultApiUrl(): string {
  if (process.env.GOVPUB_API_URL?.trim()) return process.env.GOVPUB_API_URL.trim();
  const settings = loadSettings();
  const host = ['0.0.0.0', '::', ''].includes(settings.apiHost) ? '127.0.0.1' : settings.apiHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings.apiPort}`;
}

export function registerExampleCommands(program: Command): void {
  const examples = program.command('examples').description('Example packages (examples/): a policy with its interpretations, a news item');
  examples
    .command('load')
    .description('Upload the examples\' media and create their packages through the API (with a token); ids are filled in')
    .option('--token <token>', 'API token of an editor or admin (printed by `govpub users add`); default GOVPUB_TOKEN')
    .option('--api-url <url>', 'the API, default GOVPUB_API_URL or http://HOST:PORT (http://127.0.0.1:8080)')
    .option('--only <names>', 'only these examples, e.g. news-volunteers (comma-separated)')
    .option('--submit', 'also submit each package for review')
    .option('--again', 'create a package again even if one with the same title exists')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { token?: string; apiUrl?: string; only?: string; submit?: boolean; again?: boolean; json?: boolean }) => {
      const token = options.token ?? process.env.GOVPUB_TOKEN;
      if (!token?.trim()) {
        throw new GovpubError(
          'token_required',
          'Give an API token: --token <token> or GOVPUB_TOKEN=<token>. `govpub users add admin --role admin --stages 初审,复审,终审` prints one as its last line.',
        );
      }
      const { loadExamples } = await import('../runtime/examples.js');
      const result = await loadExamples({
        apiUrl: options.apiUrl ?? defaultApiUrl(),
        token: token.trim(),
        only: options.only?.split(',').map((s) => s.trim()).filter(Boolean),
        submit: options.submit,
        again: options.again,
        log: options.json ? undefined : (line) => console.log(line),
      });
      if (options.json) return printJson(result);
      console.log('');
      printTable(result.packages.map((p) => ({ id: p.id, status: p.status, title: p.title })), ['id', 'status', 'title']);
      const drafts = result.packages.filter((p) => p.status === 'draft');
      const inReview = result.packages.filter((p) => p.status === 'in_review');
      if (drafts.length) console.log(`\nSubmit them for review: ${drafts.map((p) => `govpub packages submit ${p.id} --as <you>`).join('; ')} (or load with --submit).`);
      if (inReview.length || drafts.length) {
        console.log('Review: one reviewer per stage (初审, 复审, 终审), none of them the author, e.g. for each package:');
        console.log(`  for who in zhao qian sun; do govpub packages decide ${(inReview[0] ?? drafts[0])!.id} --revision 1 --decision approve --comment 同意 --as $who; done`);
      }
    });
}
