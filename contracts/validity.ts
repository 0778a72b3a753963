/** The workflow that carries a validity change (有效性) to the portal pages of one package. */

export interface ValidityUpdateInput {
  packageId: string;
  /** The audit entry's business key of the change: names the workflow and keeps it unique per change. */
  changeKey: string;
}

/** `validity:<packageId>:<change key>`: one workflow per change; a later change starts its own. */
export function validityWorkflowId(packageId: string, changeKey: string): string {
  return `validity:${packageId}:${changeKey}`;
}

/** What the portal activity answers: whether the adapter updated pages. */
export interface ValidityUpdateResult {
  packageId: string;
  validity: { state: string; effectiveFrom: string | null; endedAt: string | null } | null;
}
