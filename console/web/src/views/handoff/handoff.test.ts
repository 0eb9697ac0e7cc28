import { describe, expect, it } from "vitest";
import { factText, firstResponseTarget, matchCanned, type CannedReply } from "./api";

const replies: CannedReply[] = [
  { id: 1, shortcut: "运费", title: "运费说明", text: "满 99 元包邮" },
  { id: 2, shortcut: "运费险", title: "运费险", text: "退货运费险" },
  { id: 3, shortcut: "退货", title: "退货流程", text: "在我的订单中申请" },
];

describe("matchCanned", () => {
  it("needs a slash and ranks exact, prefix, then title and text", () => {
    expect(matchCanned(replies, "运费")).toEqual([]);
    expect(matchCanned(replies, "/运费").map((r) => r.id)).toEqual([1, 2]);
    expect(matchCanned(replies, "/流程").map((r) => r.id)).toEqual([3]);
    expect(matchCanned(replies, "/").map((r) => r.id)).toEqual([1, 2, 3]);
    expect(matchCanned(replies, "/nothing")).toEqual([]);
  });
});

describe("firstResponseTarget", () => {
  const groups = [
    { name: "售后", target_seconds: 30, vip_target_seconds: 10 },
    { name: "金融业务", target_seconds: 60, vip_target_seconds: 20 },
  ];
  it("uses the group's VIP target for VIP priorities", () => {
    expect(firstResponseTarget(groups, { skill_group: "金融业务", priority: 0 })).toBe(60);
    expect(firstResponseTarget(groups, { skill_group: "金融业务", priority: 10 })).toBe(20);
    expect(firstResponseTarget(groups, { skill_group: "", priority: 15 })).toBe(10);
    expect(firstResponseTarget([], { skill_group: "售后" })).toBe(0);
  });
});

describe("factText", () => {
  it("adds the day a relative date meant and writes a budget as its range", () => {
    expect(factText({ type: "date", text: "下周五", value: "2026-12-04" })).toBe("下周五（12月4日）");
    expect(factText({ type: "date", text: "下周五", value: "2026-12-04" }, true)).toBe("下周五 (12/4)");
    expect(factText({ type: "date", text: "12月4日", value: "2026-12-04" })).toBe("12月4日");
    expect(factText({ type: "money_range", text: "预算500以内", value: "0-500" })).toBe("500元以内");
    expect(factText({ type: "money_range", text: "三百到五百", value: "300-500" }, true)).toBe("300-500 yuan");
    expect(factText({ type: "place", text: "杭州", value: "杭州" })).toBe("杭州");
  });
});
