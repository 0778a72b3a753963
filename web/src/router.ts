/**
 * The console's pages. Each role's pages live in their own route module (routes/*.ts); a route's
 * meta says its title, who may open it and whether it appears in the navigation.
 */
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { commonRoutes } from './routes/common';
import { complianceRoutes } from './routes/compliance';
import { editorRoutes } from './routes/editor';
import { opsRoutes } from './routes/ops';
import { reviewRoutes } from './routes/review';
import { loadSession, session, whenSignedOut, type Role } from './session';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's title (its <h1> and the tab's title). */
    title?: string;
    /** Who may open it; absent: everyone signed in. */
    roles?: Role[];
    /** Shown in the navigation, in this order. */
    nav?: number;
    /** Reachable without signing in. */
    public?: boolean;
  }
}

/** Where each role starts. */
const HOME: Record<Role, string> = { editor: '/packages', reviewer: '/reviews', ops: '/board', admin: '/board' };

const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('./pages/SignIn.vue'), meta: { title: '登录', public: true } },
  { path: '/', name: 'home', redirect: () => (session.user ? HOME[session.user.role] : '/signin') },
  ...editorRoutes,
  ...reviewRoutes,
  ...opsRoutes,
  ...complianceRoutes,
  ...commonRoutes,
  { path: '/forbidden', name: 'forbidden', component: () => import('./pages/Forbidden.vue'), meta: { title: '无权访问' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue'), meta: { title: '页面不存在' } },
];

export const router = createRouter({ history: createWebHistory('/console/'), routes });

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  // ?out=1: on the way out (退出登录 leaves the page before it ends the session).
  if (to.meta.public) return to.name === 'signin' && session.user && to.query.out !== '1' ? { path: '/' } : true;
  if (!session.user) return { name: 'signin', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  // Said on a page of its own, naming the page and who may open it (before: a silent jump home).
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return { name: 'forbidden', query: { from: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 碑林区政务发布工作台` : '碑林区政务发布工作台';
});

whenSignedOut(() => {
  const here = router.currentRoute.value;
  if (!here.meta.public) void router.push({ name: 'signin', query: { next: here.fullPath } });
});
