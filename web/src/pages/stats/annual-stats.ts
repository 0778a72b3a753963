// The answer of GET /api/stats, as the API declares it (one definition, in domain/).
export type { AnnualStats } from '../../../../domain/annual-stats';
