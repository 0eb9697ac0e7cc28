import { createI18n } from "vue-i18n";
import core from "./locales/core";

export type Locale = "zh-CN" | "en";

// Every locales/*.ts module exports {zh, en} with its own top-level keys;
// they are merged here so features never edit each other's texts.
const modules = import.meta.glob<{ default: { zh: Record<string, unknown>; en: Record<string, unknown> } }>("./locales/*.ts", { eager: true });
const zh: Record<string, unknown> = { ...core.zh };
const en: Record<string, unknown> = { ...core.en };
for (const [path, mod] of Object.entries(modules)) {
  if (path.endsWith("/core.ts")) continue;
  Object.assign(zh, mod.default.zh);
  Object.assign(en, mod.default.en);
}
export const messages = { "zh-CN": zh, en };

const saved = (typeof localStorage !== "undefined" && localStorage.getItem("kefu.locale")) as Locale | null;

export const i18n = createI18n({
  legacy: false,
  locale: saved === "en" ? "en" : "zh-CN",
  fallbackLocale: "zh-CN",
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  messages: messages as any,
});

export function setLocale(l: Locale) {
  (i18n.global.locale as unknown as { value: string }).value = l;
  localStorage.setItem("kefu.locale", l);
  document.documentElement.lang = l;
}

export function currentLocale(): Locale {
  return (i18n.global.locale as unknown as { value: Locale }).value;
}

// customerName is how the console names a customer: their name, or, for one
// nobody named (a web visitor), "访客 #12" in the console's language.
export function customerName(c: { display_name?: string } | null | undefined, id: number): string {
  return c?.display_name || i18n.global.t("conv.visitor", { id });
}
