// What a format step tells people, written once in both languages at the place it is decided: refusals (problems) and warnings.
import type { ContentProblem } from './errors.js';

/** A refusal a format step writes: the English sentence and its Simplified Chinese, both required. */
export type FormatProblem = ContentProblem & { messageZh: string };

/**
 * A format step's warnings in English and Simplified Chinese, kept in step so `warnings[i]` and
 * `warningsZh[i]` are the same warning (the format result carries both lists).
 */
export class FormatWarnings {
  readonly warnings: string[] = [];
  readonly warningsZh: string[] = [];

  add(en: string, zh: string): void {
    this.warnings.push(en);
    this.warningsZh.push(zh);
  }

  get length(): number {
    return this.warnings.length;
  }

  /** The two lists, to spread into a format result. */
  lists(): { warnings: string[]; warningsZh: string[] } {
    return { warnings: this.warnings, warningsZh: this.warningsZh };
  }
}

const FIELD_ZH: Record<string, string> = {
  title: '标题',
  body: '正文',
  document: '政策文件',
  'document.title': '文件标题',
  'document.body': '文件正文',
  'document.attachments': '文件附件',
  cover: '封面',
  video: '视频',
  channel: '渠道',
  interpretations: '解读',
  targets: '发布渠道',
  releaseAt: '发布时间',
  releasedAt: '发布时间',
  packageId: '稿件编号',
  tags: '标签',
  source: '转载来源',
  'document.documentNumber': '发文字号',
  'document.issuingUnit': '发布机构',
  'document.formedAt': '成文日期',
  portalLinks: '门户网站链接',
  'portalLinks.document': '文件的门户网站链接',
};

const INTERPRETATION_PART_ZH: Record<string, string> = { title: '标题', body: '正文', mediaId: '媒体', url: '链接', interpreter: '解读人' };

/** A package field path as an editor reads it: `interpretations[1].body` → 解读 2 正文. */
export function fieldLabelZh(field: string): string {
  const link = /^portalLinks\.interpretations\[(\d+)\]$/.exec(field);
  if (link) return `解读 ${Number(link[1]) + 1} 的门户网站链接`;
  const attachment = /^document\.attachments\[(\d+)\]$/.exec(field);
  if (attachment) return `附件 ${Number(attachment[1]) + 1}`;
  const interpretation = /^interpretations\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (interpretation) {
    const part = interpretation[2] ? (INTERPRETATION_PART_ZH[interpretation[2]] ?? interpretation[2]) : '';
    return `解读 ${Number(interpretation[1]) + 1}${part ? ` ${part}` : ''}`;
  }
  return FIELD_ZH[field] ?? field;
}

/**
 * A format result's warnings as the delivery row keeps them: each with its Chinese
 * ({message, messageZh}, which adapters/error-codes.ts `localizedWarning` reads) when the step
 * wrote it, else the English string as rows always held.
 */
export function storedWarnings(formatted: { warnings: string[]; warningsZh?: string[] }): (string | { message: string; messageZh: string })[] {
  return formatted.warnings.map((message, n) => {
    const messageZh = formatted.warningsZh?.[n];
    return messageZh ? { message, messageZh } : message;
  });
}
