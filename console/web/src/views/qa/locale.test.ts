import { describe, expect, it } from "vitest";
import qa from "../../locales/qa";

function keys(o: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === "object" && !Array.isArray(v) ? keys(v as Record<string, unknown>, prefix + k + ".") : [prefix + k],
  );
}

describe("qa locale", () => {
  it("has every Chinese key in English, and seven weekdays in both", () => {
    expect(keys(qa.en).sort()).toEqual(keys(qa.zh).sort());
    expect(qa.zh.qa.weekdays).toHaveLength(7);
    expect(qa.en.qa.weekdays).toHaveLength(7);
  });
});
