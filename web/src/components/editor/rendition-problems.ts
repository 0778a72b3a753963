/** Why a rendition job's renditions were not made, as the upload field lists them. */

/** The parts of a media job (GET /api/media/:id's jobs) the list needs. */
export interface JobOutcome {
  /** Per spec key: its Chinese name (jobs from before it have none: the key stands in). */
  specNames?: Record<string, { labelZh: string }>;
  problems: { spec: string; code?: string; message: string; messageZh?: string }[];
  results?: Record<string, { ok: boolean; code?: string; message?: string; messageZh?: string; warnings?: string[]; warningsZh?: string[] }>;
}

export interface RenditionProblem {
  spec: string;
  text: string;
}

/**
 * The line an editor reads: the note or problem, led by the Chinese name of the rendition it is
 * about unless the sentence names it already (「原图为 …，微信公众号封面（2.35:1）要放大 …」).
 * Never the spec key (wechat_oa.thumb), which means nothing to an editor, unless the job has no names.
 */
export function renditionLine(job: Pick<JobOutcome, 'specNames'> | null, item: RenditionProblem): string {
  const name = job?.specNames?.[item.spec]?.labelZh ?? item.spec;
  return item.text.includes(name) ? item.text : `${name}：${item.text}`;
}

/**
 * Those refused before any work (`problems`), then those that failed while being made (`results`
 * with ok: false), each in Chinese where the API has it: an editor whose job says 失败 sees why.
 */
export function renditionProblems(job: JobOutcome | null): RenditionProblem[] {
  if (!job) return [];
  const refused = job.problems.map((p) => ({ spec: p.spec, text: p.messageZh ?? p.message }));
  const failed = Object.entries(job.results ?? {})
    .filter(([, r]) => r?.ok === false)
    .map(([spec, r]) => ({ spec, text: r.messageZh ?? r.message ?? '' }));
  return [...refused, ...failed];
}

/**
 * What the renditions made note (enlarged and may look soft, reduced to fit, no watermark), in
 * Chinese where the API has it: an editor learns a bigger picture would look better while still
 * writing, not from a blurred post.
 */
export function renditionNotes(job: JobOutcome | null): RenditionProblem[] {
  return Object.entries(job?.results ?? {}).flatMap(([spec, r]) =>
    r?.ok ? (r.warningsZh?.length ? r.warningsZh : (r.warnings ?? [])).map((text) => ({ spec, text })) : [],
  );
}
