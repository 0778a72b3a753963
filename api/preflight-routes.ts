// Channel preflight routes: GET /api/packages/:id/preflight (a stored revision) and POST /api/preflight (an unsaved body), thin over services/preflight.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../services/context.js';
import { PreflightService, type PreflightOptions } from '../services/preflight.js';
import type { ValidationFailure } from './errors.js';
import { preflightRoutes } from './schemas/preflight.js';
import type { Static } from './schemas/common.js';
import { issuesFrom } from './validation.js';

export function registerPreflightRoutes(app: FastifyInstance, ctx: AppContext, options: PreflightOptions = {}): void {
  const service = new PreflightService(ctx, options);

  app.route({
    method: 'GET',
    url: '/api/packages/:id/preflight',
    schema: preflightRoutes.packagePreflight,
    handler: async (request: FastifyRequest) => {
      const params = request.params as Static<typeof preflightRoutes.packagePreflight.params>;
      const query = request.query as Static<typeof preflightRoutes.packagePreflight.querystring>;
      return service.forPackage(params.id, query.revision);
    },
  });

  app.route({
    method: 'POST',
    url: '/api/preflight',
    schema: preflightRoutes.bodyPreflight,
    // A body that fails its schema is still answered: its issues are the form's blocking problems.
    attachValidation: true,
    handler: async (request: FastifyRequest) => {
      const failure = request.validationError as ValidationFailure | undefined;
      if (failure && failure.validationContext !== 'body') throw failure;
      return service.forBody(request.body, failure ? issuesFrom(failure.validation, 'body') : []);
    },
  });
}
