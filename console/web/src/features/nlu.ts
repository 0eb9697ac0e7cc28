import type { Feature } from "./types";
import CatalogView from "../views/nlu/CatalogView.vue";

// The intent catalog: everyone who reviews the bot reads it and tries
// sentences; admins edit it.
const feature: Feature = {
  routes: [{ path: "nlu/catalog", component: CatalogView, meta: { perm: "nlu.view" } }],
  nav: [{ path: "/nlu/catalog", label: "nlu.nav", perm: "nlu.view", testid: "nav-nlu", order: 60 }],
};
export default feature;
