import { createRouter, createWebHistory } from "vue-router";
import { session, loadSession, can } from "./session";
import LoginView from "./views/LoginView.vue";
import LayoutView from "./views/LayoutView.vue";
import { featureRoutes, navItems } from "./features";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/login", component: LoginView, meta: { public: true } },
    {
      path: "/",
      component: LayoutView,
      children: [
        { path: "", redirect: () => home() },
        ...featureRoutes,
      ],
    },
    { path: "/:rest(.*)*", redirect: "/" },
  ],
});

// home is the first page in the menu a role may see.
export function home(): string {
  const first = navItems.find((n) => can(n.perm));
  return first ? first.path : "/conversations";
}

router.beforeEach(async (to) => {
  if (!session.checked) await loadSession();
  if (to.meta.public) return session.me && to.path === "/login" ? home() : true;
  if (!session.me) return { path: "/login", query: { next: to.fullPath } };
  const perm = to.meta.perm as string | undefined;
  if (perm && !can(perm)) return to.path === home() ? true : home();
  return true;
});
