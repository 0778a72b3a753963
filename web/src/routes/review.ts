// Reviewers: the queue at their stages and the review page.
import type { RouteRecordRaw } from 'vue-router';

export const reviewRoutes: RouteRecordRaw[] = [
  { path: '/reviews', component: () => import('../pages/review/ReviewQueue.vue'), meta: { title: '审核队列', roles: ['reviewer', 'admin'], nav: 20 } },
  { path: '/reviews/:id', component: () => import('../pages/review/ReviewPackage.vue'), meta: { title: '审核发布包', roles: ['reviewer', 'admin'] } },
];
