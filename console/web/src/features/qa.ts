import type { Feature } from "./types";
import { can } from "../session";
import QAReportsView from "../views/qa/QAReportsView.vue";
import QARulesView from "../views/qa/QARulesView.vue";
import QAAlertsView from "../views/qa/QAAlertsView.vue";
import JobsView from "../views/qa/JobsView.vue";
import AnalyticsView from "../views/qa/AnalyticsView.vue";

// QA and analytics (issue 5): one 质检 entry (live alerts and rules for
// supervisors, audit reports for compliance officers, tabs between them),
// service reports, and the jobs admin page.
const feature: Feature = {
  routes: [
    { path: "qa", redirect: () => (can("qa.alerts.view") ? "/qa/alerts" : "/qa/reports") },
    { path: "qa/reports/:id?", component: QAReportsView, meta: { perm: "qa.reports.view" } },
    { path: "qa/rules", component: QARulesView, meta: { perm: "qa.reports.view" } },
    { path: "qa/alerts", component: QAAlertsView, meta: { perm: "qa.alerts.view" } },
    { path: "analytics", component: AnalyticsView, meta: { perm: "analytics.view" } },
    { path: "jobs", component: JobsView, meta: { perm: "jobs.view" } },
  ],
  nav: [
    { path: "/qa", label: "qa.nav", perm: "qa.reports.view", testid: "nav-qa", order: 50 },
    { path: "/analytics", label: "qa.navAnalytics", perm: "analytics.view", testid: "nav-analytics", order: 60 },
    { path: "/jobs", label: "qa.navJobs", perm: "jobs.view", testid: "nav-jobs", order: 85 },
  ],
};
export default feature;
