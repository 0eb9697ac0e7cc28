import type { Feature } from "./types";
import KnowledgeListView from "../views/knowledge/KnowledgeListView.vue";
import KnowledgeItemView from "../views/knowledge/KnowledgeItemView.vue";

// Knowledge base: editors curate documents and FAQ entries, move them
// through review and publication, and try what the bot would answer.
const feature: Feature = {
  routes: [
    { path: "knowledge", component: KnowledgeListView, meta: { perm: "knowledge.edit" } },
    { path: "knowledge/:id", component: KnowledgeItemView, meta: { perm: "knowledge.edit" } },
  ],
  nav: [{ path: "/knowledge", label: "knowledge.nav", perm: "knowledge.edit", testid: "nav-knowledge", order: 50 }],
};
export default feature;
