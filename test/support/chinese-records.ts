/**
 * Synthetic Chinese government articles for search tests and the search bench: deterministic
 * (a seeded generator), ~800 characters each, built from phrases a district government writes.
 */
import type { SearchRecord } from '../../adapters/portal/search.js';

const SUBJECTS = ['区政府', '区教育局', '区卫生健康委', '区市场监管局', '区住建局', '区人社局', '区民政局', '区生态环境分局', '区财政局', '区发改委'];
const TOPICS = [
  '义务教育招生',
  '城镇老旧小区改造',
  '基本医疗保险',
  '就业创业补贴',
  '养老服务体系',
  '大气污染防治',
  '政府采购管理',
  '食品安全监管',
  '安全生产检查',
  '社区治理创新',
  '科技创新平台',
  '文化旅游发展',
  '数字政府建设',
  '城市更新行动',
  '乡村振兴',
  '防汛抗旱',
];
const PHRASES = [
  '深入贯彻落实党中央、国务院决策部署',
  '坚持以人民为中心的发展思想',
  '进一步规范工作流程，提高服务效率',
  '各有关单位要高度重视，加强组织领导',
  '明确责任分工，确保各项措施落到实处',
  '加大资金投入，强化要素保障',
  '建立健全长效机制，推动工作常态化',
  '加强宣传引导，营造良好社会氛围',
  '对工作中发现的问题及时整改',
  '本通知自印发之日起施行',
  '按照属地管理原则，压实各方责任',
  '充分发挥示范引领作用',
  '切实保障人民群众合法权益',
  '做好政策解读和舆论引导工作',
  '定期开展督导检查和考核评估',
];
const COLUMNS = ['政策文件', '政策解读', '通知公告', '工作动态', '部门文件', '规划计划'];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `count` articles; `extra` lets a test place its own records among them. */
export function syntheticChineseRecords(count: number, seed = 12): SearchRecord[] {
  const random = seeded(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const records: SearchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const subject = pick(SUBJECTS);
    const topic = pick(TOPICS);
    const sentences: string[] = [`为做好${topic}工作，${subject}结合本区实际，制定本方案`];
    while (sentences.join('。').length < 780) sentences.push(`${pick(PHRASES)}，${pick(PHRASES)}`);
    const day = 1 + (i % 28);
    const month = 1 + (Math.floor(i / 28) % 12);
    records.push({
      url: `art/${(i % 256).toString(16).padStart(2, '0')}/pkg-synth-${i}/index.html`,
      title: `${subject}关于做好${topic}工作的通知（${i + 1}）`,
      text: `${sentences.join('。')}。`,
      date: `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      column: pick(COLUMNS),
      kind: random() < 0.8 ? '政策文件' : '政策解读',
    });
  }
  return records;
}
