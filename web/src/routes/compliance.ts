// District oversight: the compliance monitor (veto thresholds, findings, history) and the annual figures.
import type { RouteRecordRaw } from 'vue-router';

export const complianceRoutes: RouteRecordRaw[] = [
  {
    path: '/compliance',
    component: () => import('../pages/compliance/ComplianceMonitor.vue'),
    meta: { title: '合规监测', roles: ['reviewer', 'ops', 'admin'], nav: 34 },
  },
  // Editors read their own unit's figures (the API scopes them); the others the district's.
  { path: '/annual', component: () => import('../pages/stats/AnnualStats.vue'), meta: { title: '年度统计', nav: 35 } },
];
