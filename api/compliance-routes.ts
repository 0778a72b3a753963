// Compliance routes: GET /api/compliance (findings and thresholds), GET /api/compliance/history, POST /api/compliance/runs (202), GET /api/compliance/runs/:workflowId and PUT /api/compliance/external-releases/:id; thin over the monitor and services/compliance/runs.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userById } from '../db/tokens.js';
import { GovpubError } from '../domain/errors.js';
import type { Actor } from '../domain/package-rules.js';
import { ComplianceMonitor, type ComplianceViewer } from '../services/compliance/monitor.js';
import { complianceRunOutcome, requireRunStarter, startComplianceRun } from '../services/compliance/runs.js';
import type { AppContext } from '../services/context.js';
import type { Static } from './schemas/common.js';
import { complianceRoutes } from './schemas/compliance.js';

export function registerComplianceRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Reads only: the monitor's view and history need no platform lists or web root.
  const monitor = new ComplianceMonitor(ctx);
  const actorOf = (request: FastifyRequest): Actor => request.actor!;
  const viewerOf = async (request: FastifyRequest): Promise<ComplianceViewer> => {
    const actor = actorOf(request);
    return { role: actor.role, unit: (await userById(ctx.db, actor.id))?.unit ?? null };
  };

  app.route({
    method: 'GET',
    url: '/api/compliance',
    schema: complianceRoutes.view,
    handler: async (request: FastifyRequest) => {
      const query = request.query as Static<typeof complianceRoutes.view.querystring>;
      return monitor.view(query, await viewerOf(request));
    },
  });

  app.route({
    method: 'GET',
    url: '/api/compliance/history',
    schema: complianceRoutes.history,
    handler: async (request: FastifyRequest) => {
      const query = request.query as Static<typeof complianceRoutes.history.querystring>;
      return monitor.history(query, await viewerOf(request));
    },
  });

  app.route({
    method: 'POST',
    url: '/api/compliance/runs',
    schema: complianceRoutes.startRun,
    handler: async (request: FastifyRequest, reply) => {
      const actor = actorOf(request);
      requireRunStarter(actor);
      const { workflowId } = await startComplianceRun(ctx, `user:${actor.name}`);
      const location = `/api/compliance/runs/${encodeURIComponent(workflowId)}`;
      return reply.code(202).header('location', location).send({ workflowId, status: 'running', location });
    },
  });

  app.route({
    method: 'PUT',
    url: '/api/compliance/external-releases/:id',
    schema: complianceRoutes.recordExternalRelease,
    handler: async (request: FastifyRequest) => {
      const actor = actorOf(request);
      if (actor.role === 'editor') {
        throw new GovpubError(
          'forbidden',
          `Only reviewers, operations (ops) and admins register documents published without govpub; ${actor.name} is an editor.`,
          {
            status: 403,
          },
        );
      }
      const { id } = request.params as { id: string };
      const { documentNumber, warnings } = await monitor.recordExternalRelease(
        { id, ...(request.body as Static<typeof complianceRoutes.recordExternalRelease.body>) },
        actor.id,
      );
      return { id, recorded: true as const, documentNumber, warnings };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/compliance/runs/:workflowId',
    schema: complianceRoutes.runOutcome,
    handler: async (request: FastifyRequest) => complianceRunOutcome(ctx, (request.params as { workflowId: string }).workflowId),
  });
}
