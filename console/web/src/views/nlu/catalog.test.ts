import { describe, expect, it } from "vitest";
import { addExample, clean, exampleCount, micros, newIntent, termTypes } from "./catalog";
import type { Catalog } from "./api";

function shop(): Catalog {
  return {
    name: "shop",
    title: { zh: "店铺" },
    intents: [
      { name: "order_status", description: { zh: "查物流" }, examples: { zh: ["我的快递到哪了", "查物流"] }, fulfilment: { kind: "action", action: "order.track" } },
      { name: "new_intent_1", description: { zh: "" }, examples: { zh: ["a", "b"] }, fulfilment: { kind: "knowledge" } },
    ],
    terms: [{ type: "product", value: "雨靴" }, { type: "product", value: "鞋子" }, { type: "course", value: "钢琴" }],
  };
}

describe("catalog editor helpers", () => {
  it("names a new intent after the ones taken", () => {
    expect(newIntent(shop()).name).toBe("new_intent_2");
  });
  it("adds examples, refusing empty, duplicate and other intents' ones", () => {
    const c = shop();
    const i = c.intents[0];
    expect(addExample(c, i, "zh", "  包裹到哪儿了 ")).toBe("");
    expect(i.examples.zh).toContain("包裹到哪儿了");
    expect(addExample(c, i, "zh", "查物流")).toBe("duplicate");
    expect(addExample(c, i, "zh", "B")).toBe("taken:new_intent_1");
    expect(addExample(c, i, "en", "   ")).toBe("empty");
    expect(addExample(c, i, "en", "where is my parcel")).toBe("");
    expect(exampleCount(i)).toBe(4);
  });
  it("cleans blank optional parts without touching the input", () => {
    const c = shop();
    c.intents[1].description.en = "";
    c.intents[1].slots = [];
    c.intents[1].examples.en = [];
    const out = clean(c);
    expect(out.intents[1]).toEqual({ name: "new_intent_1", description: { zh: "" }, examples: { zh: ["a", "b"] }, fulfilment: { kind: "knowledge" } });
    expect(c.intents[1].slots).toEqual([]);
  });
  it("lists term types once, sorted", () => {
    expect(termTypes(shop())).toEqual(["course", "product"]);
  });
  it("formats latencies", () => {
    expect(micros(42_000)).toBe("42 µs");
    expect(micros(3_400_000)).toBe("3.4 ms");
  });
});
