// Editors: their packages, the package form with previews and preflight, a package's progress.
import type { RouteRecordRaw } from 'vue-router';

export const editorRoutes: RouteRecordRaw[] = [
  { path: '/packages', component: () => import('../pages/editor/PackageList.vue'), meta: { title: '发布包', nav: 10 } },
  { path: '/packages/new', component: () => import('../pages/editor/PackageForm.vue'), meta: { title: '新建发布包', roles: ['editor', 'admin'] } },
  { path: '/packages/:id', component: () => import('../pages/editor/PackageDetail.vue'), meta: { title: '发布包详情' } },
  { path: '/packages/:id/edit', component: () => import('../pages/editor/PackageForm.vue'), meta: { title: '修改发布包', roles: ['editor', 'admin'] } },
];
