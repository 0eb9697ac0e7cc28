import { describe, expect, it } from "vitest";
import { localeKeys as keys } from "./localeKeys";
import handoff from "./locales/handoff";
import { customerName, i18n } from "./i18n";


describe("customerName", () => {
  it("uses the name when there is one, else says visitor in the console's language", () => {
    const locale = i18n.global.locale as unknown as { value: string };
    locale.value = "zh-CN";
    expect(customerName({ display_name: "张三" }, 12)).toBe("张三");
    expect(customerName({ display_name: "" }, 12)).toBe("访客 #12");
    expect(customerName(undefined, 7)).toBe("访客 #7");
    locale.value = "en";
    expect(customerName({ display_name: "" }, 12)).toBe("Visitor #12");
    locale.value = "zh-CN";
  });
});

describe("handoff locale", () => {
  it("has every Chinese key in English (fact names, erasure texts)", () => {
    expect(keys(handoff.en).sort()).toEqual(keys(handoff.zh).sort());
  });
});
