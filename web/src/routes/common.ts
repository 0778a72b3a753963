// Everyone: what waits for them, the media library, the audit trail.
import type { RouteRecordRaw } from 'vue-router';

export const commonRoutes: RouteRecordRaw[] = [
  { path: '/notices', component: () => import('../pages/common/Notices.vue'), meta: { title: '待办通知', nav: 40 } },
  { path: '/media', component: () => import('../pages/common/MediaLibrary.vue'), meta: { title: '媒体库', nav: 41 } },
  { path: '/audit', component: () => import('../pages/common/AuditTrail.vue'), meta: { title: '审计记录', nav: 42 } },
];
