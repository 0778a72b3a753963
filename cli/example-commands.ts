/** `govpub examples load`: the example packages of examples/, through the HTTP API with a token. */
import type { Command } from 'commander';
import { ApiClient, withApiOptions, type ApiOptions } from './api-client.js';
import { statusZh } from '../domain/messages-zh.js';
import { inChinese, printJson, printTable } from './output.js';

export function registerExampleCommands(program: Command): void {
  const examples = program.command('examples').description('Example packages (examples/): a policy with its interpretations, a news item');
  withApiOptions(examples.command('load'))
    .description("Upload the examples' media and create their packages through the API (with a token); ids are filled in")
    .option('--only <names>', 'only these examples, e.g. news-volunteers (comma-separated)')
    .option('--submit', 'also submit each package for review')
    .option('--again', 'create a package again even if one with the same title exists')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: ApiOptions & { only?: string; submit?: boolean; again?: boolean; json?: boolean }) => {
      const client = ApiClient.from(options);
      const { loadExamples } = await import('../runtime/examples.js');
      const result = await loadExamples({
        apiUrl: client.baseUrl,
        token: client.token,
        only: options.only
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        submit: options.submit,
        again: options.again,
        log: options.json ? undefined : (line) => console.log(line),
        zh: inChinese(),
      });
      if (options.json) return printJson(result);
      const zh = inChinese();
      console.log('');
      printTable(
        result.packages.map((p) => ({ id: p.id, status: zh ? statusZh(p.status) : p.status, title: p.title })),
        ['id', 'status', 'title'],
        { id: '编号', status: '状态', title: '标题' },
      );
      const drafts = result.packages.filter((p) => p.status === 'draft');
      const inReview = result.packages.filter((p) => p.status === 'in_review');
      if (zh) {
        if (drafts.length)
          console.log(`\n提交审核：${drafts.map((p) => `govpub packages submit ${p.id}`).join('；')}${options.submit ? '' : '（或载入时加 --submit）'}。`);
        if (inReview.length) {
          console.log('审核：每个环节（初审、复审、终审）各由一位审核人审核，且都不能是撰写人。例如对每份稿件：');
          console.log(
            `  GOVPUB_TOKEN=<初审审核人的令牌> govpub packages decide ${inReview[0]!.id} --revision ${inReview[0]!.revision} --decision approve --comment 同意   （再依次为复审、终审）`,
          );
        }
        return;
      }
      if (drafts.length)
        console.log(
          `\nSubmit them for review: ${drafts.map((p) => `govpub packages submit ${p.id}`).join('; ')}${options.submit ? '' : ' (or load with --submit)'}.`,
        );
      // Only a package in review can be decided on.
      if (inReview.length) {
        console.log('Review: one reviewer per stage (初审, 复审, 终审), none of them the author, e.g. for each package:');
        console.log(
          `  GOVPUB_TOKEN=<初审 reviewer's token> govpub packages decide ${inReview[0]!.id} --revision ${inReview[0]!.revision} --decision approve --comment 同意   (then 复审, 终审)`,
        );
      }
    });
}
