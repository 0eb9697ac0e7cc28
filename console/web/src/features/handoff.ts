import type { Feature } from "./types";
import CannedRepliesView from "../views/handoff/CannedRepliesView.vue";
import RoutingBoardView from "../views/handoff/RoutingBoardView.vue";
import ErasureRequestsView from "../views/handoff/ErasureRequestsView.vue";

// Hand-off and routing: the supervisors' routing board and the team's
// canned replies; the inbox of erasure requests waiting for a second person. The workspace itself is the core conversations page.
const feature: Feature = {
  routes: [
    { path: "routing", component: RoutingBoardView, meta: { perm: "canned.manage" } },
    { path: "canned-replies", component: CannedRepliesView, meta: { perm: "canned.manage" } },
    { path: "erasure-requests", component: ErasureRequestsView, meta: { perm: "erasure.decide" } },
  ],
  nav: [
    { path: "/routing", label: "handoff.nav.board", perm: "canned.manage", testid: "nav-routing", order: 20 },
    { path: "/canned-replies", label: "handoff.nav.canned", perm: "canned.manage", testid: "nav-canned", order: 30 },
    { path: "/erasure-requests", label: "handoff.nav.erasures", perm: "erasure.decide", testid: "nav-erasures", order: 85 },
  ],
};
export default feature;
