/**
 * A package's revisions and the diff between two of them (domain/package-diff.ts). By default the
 * diff runs from the revision last reviewed or rejected (for a reviewer: the one they last decided
 * on) to the current one, which is what a reviewer needs to see again.
 */
import { platformLocalName } from '../adapters/error-codes.js';
import { packageNotFound, revisionNotFound } from '../domain/errors.js';
import { findChannel } from '../domain/registry.js';
import { diffPackageBodies, type FieldChange } from '../domain/package-diff.js';
import type { Actor } from '../domain/package-rules.js';
import { lastDecidedRevision, revisionsOf } from '../db/console-reads.js';
import { findPackage, findRevision } from '../db/packages.js';
import type { AppContext } from './context.js';

export interface RevisionSummary {
  revision: number;
  contentHash: string;
  createdBy: string;
  createdByName: string | null;
  createdAt: string;
}

export class RevisionService {
  constructor(private readonly ctx: AppContext) {}

  private async packageRow(packageId: string) {
    const row = await findPackage(this.ctx.db, packageId);
    if (!row) throw packageNotFound(packageId);
    return row;
  }

  private async revisionRow(packageId: string, revision: number, current: number) {
    const row = await findRevision(this.ctx.db, packageId, revision);
    if (!row) throw revisionNotFound(packageId, revision, current);
    return row;
  }

  async list(packageId: string): Promise<{ revisions: RevisionSummary[] }> {
    await this.packageRow(packageId);
    const rows = await revisionsOf(this.ctx.db, packageId);
    return {
      revisions: rows.map((r) => ({
        revision: r.revision,
        contentHash: r.content_hash,
        createdBy: r.created_by,
        createdByName: r.created_by_display_name ?? r.created_by_name ?? null,
        createdAt: r.created_at.toISOString(),
      })),
    };
  }

  async get(packageId: string, revision: number) {
    const pkg = await this.packageRow(packageId);
    const row = await this.revisionRow(packageId, revision, pkg.current_revision);
    return { revision: row.revision, contentHash: row.content_hash, content: row.content, createdBy: row.created_by, createdAt: row.created_at.toISOString() };
  }

  /**
   * The revision a diff starts from when the caller names none: the caller's last decision on
   * the package (a reviewer), else the last decision by anyone, else the revision before the
   * current one (the first revision compares with itself).
   */
  private async defaultFrom(packageId: string, current: number, actor: Actor): Promise<number> {
    const own = await lastDecidedRevision(this.ctx.db, packageId, actor.id);
    if (own !== null) return own;
    const anyone = await lastDecidedRevision(this.ctx.db, packageId);
    return anyone ?? Math.max(1, current - 1);
  }

  async diff(actor: Actor, packageId: string, query: { from?: number; to?: number }): Promise<{ from: number; to: number; changes: FieldChange[] }> {
    const pkg = await this.packageRow(packageId);
    const to = query.to ?? pkg.current_revision;
    const from = query.from ?? (await this.defaultFrom(packageId, to, actor));
    const [before, after] = await Promise.all([this.revisionRow(packageId, from, pkg.current_revision), this.revisionRow(packageId, to, pkg.current_revision)]);
    const changes = diffPackageBodies(before.content, after.content).map((change) => {
      if (!change.path.startsWith('/targets/')) return change;
      const id = String(change.after ?? change.before);
      const channel = findChannel(this.ctx.registry, id);
      return channel ? { ...change, valueText: `${platformLocalName(channel.platform)} · ${channel.name}` } : change;
    });
    return { from, to, changes };
  }
}
