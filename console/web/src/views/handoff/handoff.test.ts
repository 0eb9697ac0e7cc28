import { describe, expect, it } from "vitest";
import { firstResponseTarget, matchCanned, type CannedReply } from "./api";

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
