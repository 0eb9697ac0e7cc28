import { describe, expect, it } from "vitest";
import { localeKeys as keys } from "../../localeKeys";
import qa from "../../locales/qa";


describe("qa locale", () => {
  it("has every Chinese key in English, and seven weekdays in both", () => {
    expect(keys(qa.en).sort()).toEqual(keys(qa.zh).sort());
    expect(qa.zh.qa.weekdays).toHaveLength(7);
    expect(qa.en.qa.weekdays).toHaveLength(7);
  });
});
