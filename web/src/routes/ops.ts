// Operations: the live delivery board, manual hand-offs, channel health, charts.
import type { RouteRecordRaw } from 'vue-router';

export const opsRoutes: RouteRecordRaw[] = [
  { path: '/board', component: () => import('../pages/ops/DeliveryBoard.vue'), meta: { title: '发布看板', roles: ['ops', 'admin'], nav: 30 } },
  { path: '/handoffs', component: () => import('../pages/ops/HandoffTasks.vue'), meta: { title: '人工发布任务', roles: ['ops', 'admin'], nav: 31 } },
  { path: '/channels', component: () => import('../pages/ops/ChannelHealth.vue'), meta: { title: '渠道状态', roles: ['ops', 'admin'], nav: 32 } },
  { path: '/stats', component: () => import('../pages/ops/DeliveryStats.vue'), meta: { title: '发布统计', roles: ['ops', 'admin'], nav: 33 } },
];
