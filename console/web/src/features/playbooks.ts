import type { Feature } from "./types";
import TicketsView from "../views/playbooks/TicketsView.vue";
import PlaybooksView from "../views/playbooks/PlaybooksView.vue";

const feature: Feature = {
  routes: [
    { path: "tickets/:id?", component: TicketsView, meta: { perm: "tickets.view" } },
    { path: "playbooks", component: PlaybooksView, meta: { perm: "playbooks.manage" } },
  ],
  nav: [
    { path: "/tickets", label: "pbnav.tickets", perm: "tickets.view", testid: "nav-tickets", order: 30 },
    { path: "/playbooks", label: "pbnav.playbooks", perm: "playbooks.manage", testid: "nav-playbooks", order: 70 },
  ],
};
export default feature;
