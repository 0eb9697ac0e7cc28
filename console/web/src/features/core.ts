import type { Feature } from "./types";
import WorkspaceView from "../views/WorkspaceView.vue";
import UsersView from "../views/UsersView.vue";
import AuditView from "../views/AuditView.vue";

const feature: Feature = {
  routes: [
    { path: "conversations/:id?", component: WorkspaceView, meta: { perm: "conversations.view" } },
    { path: "users", component: UsersView, meta: { perm: "users.view" } },
    { path: "audit", component: AuditView, meta: { perm: "audit.view" } },
  ],
  nav: [
    { path: "/conversations", label: "nav.conversations", perm: "conversations.view", testid: "nav-conversations", order: 10 },
    { path: "/users", label: "nav.users", perm: "users.view", testid: "nav-users", order: 80 },
    { path: "/audit", label: "nav.audit", perm: "audit.view", testid: "nav-audit", order: 90 },
  ],
};
export default feature;
