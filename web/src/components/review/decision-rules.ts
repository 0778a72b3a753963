/**
 * What the review page offers: whether this person may approve or reject the package now, and if
 * not, the sentence that says why. The API decides (domain/package-rules.ts decisionProblem); this
 * only keeps the page from offering buttons that would be refused. Pure, so it is unit-tested.
 */

export interface ReviewedPackage {
  status: string;
  currentStage: string | null;
  currentStageName: string | null;
  stages: { id: string; name: string }[];
  decisions: { stage: string; decision: 'approve' | 'reject'; reviewer: string; voided: boolean }[];
}

export interface Reviewer {
  id: string;
  name: string;
  /** Stage ids this person decides at (session.permissions.stages). */
  stages: string[];
  /** May the role decide at all (may('decide')). */
  mayDecide: boolean;
}

export type DecisionOffer = { offered: true } | { offered: false; code: string; reason: string };

/**
 * `authors`: user ids of everyone who wrote a revision of the package (its creator and editors);
 * nobody reviews what they wrote.
 */
export function decisionOffer(pkg: ReviewedPackage, reviewer: Reviewer, authors: readonly string[], statusLabel: (status: string) => string): DecisionOffer {
  const stageName = (id: string) => pkg.stages.find((s) => s.id === id)?.name ?? id;
  if (!reviewer.mayDecide) return { offered: false, code: 'role_not_allowed', reason: '您的角色不能审核发布包。' };
  if (pkg.status !== 'in_review' || pkg.currentStage === null) {
    return { offered: false, code: 'not_in_review', reason: `发布包当前状态为「${statusLabel(pkg.status)}」，不在审核中，无需审核。` };
  }
  if (authors.includes(reviewer.id)) return { offered: false, code: 'self_approval', reason: '不能审核本人撰写的发布包。' };
  const earlier = pkg.decisions.find((d) => !d.voided && d.decision === 'approve' && d.reviewer === reviewer.name && d.stage !== pkg.currentStage);
  if (earlier) {
    // What happened and what comes next, not a refusal: the reviewer did their part (one stage a person).
    const now = pkg.currentStageName ?? stageName(pkg.currentStage);
    return {
      offered: false,
      code: 'same_reviewer_two_stages',
      reason: `您已完成${stageName(earlier.stage)}（通过）。${now}须由另一位审核人进行，已转入${now}队列。`,
    };
  }
  if (!reviewer.stages.includes(pkg.currentStage)) {
    const mine = reviewer.stages.map(stageName).join('、') || '无';
    return {
      offered: false,
      code: 'wrong_stage',
      reason: `发布包当前在「${pkg.currentStageName ?? stageName(pkg.currentStage)}」环节，您可审核的环节为：${mine}。`,
    };
  }
  return { offered: true };
}

/**
 * What the reviewer reads right after their own decision on this page: what they did and where the
 * package went, with the package as it is now (the next stage, released, or back to the editor).
 */
export function decidedSentence(
  decision: 'approve' | 'reject',
  decidedStageName: string,
  now: Pick<ReviewedPackage, 'status' | 'currentStage' | 'currentStageName' | 'stages'>,
): string {
  if (decision === 'reject') return `您已在${decidedStageName}退回此发布包，编辑修改后会重新提交审核。`;
  const done = `您已完成${decidedStageName}（通过）。`;
  if (now.status === 'in_review' && now.currentStage) {
    const next = now.currentStageName ?? now.stages.find((s) => s.id === now.currentStage)?.name ?? now.currentStage;
    // One stage a person: whoever approved here does not decide the next stage of this round.
    return next === decidedStageName ? done : `${done}${next}须由另一位审核人进行，已转入${next}队列。`;
  }
  return `${done}发布包已通过全部审核环节，将按发布时间发布。`;
}

/**
 * Why an approval no longer counts, in Chinese. The workflow records the reason in English
 * (workflows/package-requests.ts: "rejected at 初审", "withdrawn from review", "revision 3
 * replaced the approved content"); the console never shows that English to a person.
 */
export function voidedSentence(voidedReason: string | null | undefined): string {
  const reason = voidedReason ?? '';
  const rejected = /^rejected at (.+)$/.exec(reason);
  if (rejected) return `已作废：发布包在${rejected[1]}被退回`;
  if (reason === 'withdrawn from review') return '已作废：发布包被撤回审核';
  const replaced = /^revision (\d+) replaced/.exec(reason);
  if (replaced) return `已作废：第 ${replaced[1]} 版替换了已通过的内容`;
  return '已作废';
}
