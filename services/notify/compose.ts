/** The words of a notice: a subject and a plain-text body in Chinese, one line per finding, worst first. */
import { SEVERITIES, type Severity } from '../../domain/compliance/model.js';
import type { NoticeFinding } from './types.js';

const SEVERITY_ZH: Record<Severity, string> = { reminder: '提醒', warning: '警告', veto: '单项否决' };
const CHANGE_ZH: Record<string, string> = { opened: '新发现', escalated: '升级', reopened: '再次出现' };

/** Control characters (other than newlines in the body) never reach a mail header or a receiver's log. */
function clean(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function composeNotice(unitName: string, findings: NoticeFinding[], consoleUrl: string | null): { subject: string; text: string } {
  const sorted = [...findings].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.key.localeCompare(b.key));
  const vetoes = sorted.filter((f) => f.severity === 'veto').length;
  const subject = clean(`【政务公开合规提醒】${unitName}：${findings.length} 项需要处理${vetoes ? `（其中单项否决 ${vetoes} 项）` : ''}`, 200);
  const lines = sorted.map(
    (f, i) => `${i + 1}. [${SEVERITY_ZH[f.severity]}·${CHANGE_ZH[f.change] ?? f.change}] ${clean(f.subject.name, 120)}：${clean(f.message, 500)}`,
  );
  const text = [
    `${clean(unitName, 60)}：`,
    '',
    `今日合规检查发现以下 ${findings.length} 项需要贵单位处理：`,
    '',
    ...lines,
    '',
    consoleUrl ? `详情请登录管理后台查看：${consoleUrl}` : '详情请登录管理后台查看。',
    '（本邮件由 govpub 合规监测自动发送，请勿直接回复。）',
  ].join('\n');
  return { subject, text };
}
