import type { RouteRecordRaw } from "vue-router";

// A feature module (features/<name>.ts) contributes console pages: routes
// under the layout and entries in the top navigation, each behind a
// permission. Features never edit each other's files.
export interface NavItem {
  path: string;
  label: string; // i18n key
  perm: string;
  testid: string;
  order: number; // position in the menu
}

export interface Feature {
  routes: RouteRecordRaw[];
  nav: NavItem[];
}
