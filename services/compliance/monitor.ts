/**
 * The compliance monitor: one pass gathers the facts, runs the pure checks (domain/compliance/) and
 * reconciles their drafts with the stored findings. The surface wires it into the API, the CLI and the
 * Temporal activity; this class does no scheduling of its own.
 */
import type { ComplianceQuery, ComplianceRunSummary, ComplianceView, FindingEvent, RunTrigger } from '../../domain/compliance/model.js';
import type { ComplianceThresholds } from '../../domain/compliance/thresholds.js';
import type { Role } from '../../domain/package-rules.js';
import type { AppContext } from '../context.js';
import type { PlatformPostsSource } from './facts.js';

export interface ComplianceMonitorOptions {
  /** The platforms' own post lists (accounts' posts made outside govpub); absent: govpub's deliveries only. */
  platformPosts?: PlatformPostsSource;
  /** The portal's web root: column counts and freshness from its manifest; absent: from the deliveries. */
  portal?: { webRoot: string } | null;
  /** Defaults to the registry's (config/registry/compliance.yaml). */
  thresholds?: ComplianceThresholds;
  now?: () => Date;
}

/** Who is looking: an editor with a unit sees their unit's findings (scope `mine`). */
export interface ComplianceViewer {
  role: Role;
  unit: string | null;
}

export class ComplianceMonitor {
  constructor(
    readonly ctx: AppContext,
    readonly options: ComplianceMonitorOptions = {},
  ) {}

  /** Runs every check once and reconciles the findings; returns what changed. */
  async run(trigger: RunTrigger, actor: string): Promise<ComplianceRunSummary> {
    void trigger;
    void actor;
    throw new Error('ComplianceMonitor.run: being built (wt-core)');
  }

  /** GET /api/compliance: the last run, the thresholds at a glance, counts, findings and what govpub cannot see. */
  async view(query: ComplianceQuery & { scope?: 'mine' | 'all' }, user: ComplianceViewer): Promise<ComplianceView> {
    void query;
    void user;
    throw new Error('ComplianceMonitor.view: being built (wt-core)');
  }

  /** GET /api/compliance/history */
  async history(
    query: { key?: string; since?: string; limit?: number; cursor?: string; scope?: 'mine' | 'all' },
    user?: ComplianceViewer,
  ): Promise<{ events: FindingEvent[]; nextCursor: string | null }> {
    void query;
    void user;
    throw new Error('ComplianceMonitor.history: being built (wt-core)');
  }
}
