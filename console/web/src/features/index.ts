import type { Feature, NavItem } from "./types";

const modules = import.meta.glob<{ default: Feature }>("./*.ts", { eager: true });
export const features: Feature[] = Object.entries(modules)
  .filter(([p]) => !p.endsWith("/types.ts") && !p.endsWith("/index.ts"))
  .map(([, m]) => m.default);

export const navItems: NavItem[] = features.flatMap((f) => f.nav).sort((a, b) => a.order - b.order);
export const featureRoutes = features.flatMap((f) => f.routes);
