import { describe, expect, it } from "vitest";
import { formatDuration, mergeMessages } from "./format";
import { messages } from "./i18n";

describe("mergeMessages", () => {
  it("keeps id order and drops duplicates", () => {
    const got = mergeMessages([{ id: 1 }, { id: 3 }], [{ id: 2 }, { id: 3 }, { id: 5 }]);
    expect(got.map((m) => m.id)).toEqual([1, 2, 3, 5]);
  });
});

describe("formatDuration", () => {
  it("formats minutes and hours", () => {
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
    expect(formatDuration(-3)).toBe("0:00");
  });
});

function keys(o: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === "object" && v !== null ? keys(v as Record<string, unknown>, prefix + k + ".") : [prefix + k],
  );
}

describe("locales", () => {
  it("English has every zh-CN key, in every feature module", () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages["zh-CN"]).sort());
  });
});
