package nlu

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const goodCatalog = `
name: shop
title: {zh: 店铺}
terms:
  - {type: product, value: 雨靴, aliases: [雨鞋]}
  - {type: product, value: 儿童雨靴, category: 雨靴}
intents:
  - name: order_status
    family: order
    fulfilment: {kind: action, action: order.track}
    examples: {zh: [我的快递到哪了, 查物流], en: [where is my order]}
    slots:
      - {name: order_no, entity: order_no, required: true, satisfied_by: [product], ask: {zh: 请问订单号是多少？}}
      - {name: product, entity: product}
`

func TestParseCatalog(t *testing.T) {
	c, err := ParseCatalog([]byte(goodCatalog), "shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, ok := c.Intent("order_status")
	if !ok || len(in.Examples.All()) != 3 || in.Slots[0].Ask.Get("en") != "请问订单号是多少？" {
		t.Fatalf("got %+v, want order_status with 3 examples and a Chinese fallback question", in)
	}
	if got := len(c.Examples()); got != 3 {
		t.Errorf("Examples(): got %d, want 3", got)
	}
	if !c.Refines("product", "儿童雨靴", "雨鞋") || c.Refines("product", "雨靴", "儿童雨靴") {
		t.Errorf("Refines: 儿童雨靴 should refine 雨鞋 (an alias of 雨靴), not the reverse")
	}
}

func TestCatalogErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // all must appear in the error
	}{
		{"empty", ``, []string{"bad.yaml", "empty"}},
		{"no name", `intents: [{name: a, fulfilment: {kind: knowledge}, examples: {zh: [x, y]}}]`, []string{"bad.yaml", "name"}},
		{"typo field", strings.Replace(goodCatalog, "family:", "famly:", 1), []string{"bad.yaml", "famly"}},
		{"bad intent name", strings.Replace(goodCatalog, "name: order_status", "name: Order Status", 1), []string{"bad.yaml", "lower_snake_case"}},
		{"unknown entity", strings.Replace(goodCatalog, "entity: product}", "entity: colour}", 1), []string{`intent "order_status"`, "slots[1].entity", "colour"}},
		{"required without question", strings.Replace(goodCatalog, ", ask: {zh: 请问订单号是多少？}", "", 1), []string{`intent "order_status"`, "slots[0].ask.zh"}},
		{"bad satisfied_by", strings.Replace(goodCatalog, "satisfied_by: [product]", "satisfied_by: [colour]", 1), []string{"slots[0].satisfied_by", "colour"}},
		{"action without name", strings.Replace(goodCatalog, "action: order.track", "action: ''", 1), []string{"fulfilment.action"}},
		{"unknown kind", strings.Replace(goodCatalog, "kind: action", "kind: magic", 1), []string{"fulfilment.kind", "magic"}},
		{"too few examples", strings.Replace(goodCatalog, "{zh: [我的快递到哪了, 查物流], en: [where is my order]}", "{zh: [查物流]}", 1), []string{"at least 2 examples"}},
		{"duplicate slot", strings.Replace(goodCatalog, "{name: product, entity: product}", "{name: order_no, entity: product}", 1), []string{"defined twice"}},
		{"term alias clash", strings.Replace(goodCatalog, "category: 雨靴}", "category: 雨靴, aliases: [雨鞋]}", 1), []string{"terms[1]", "雨鞋"}},
		{"not yaml", "name: [", []string{"bad.yaml"}},
		{"after unknown", strings.Replace(goodCatalog, "    family: order\n", "    family: order\n    after: [hotel_search]\n", 1), []string{"after[0]", "hotel_search"}},
		{"after itself", strings.Replace(goodCatalog, "    family: order\n", "    family: order\n    after: [order_status]\n", 1), []string{"after[0]", "order_status"}},
	}
	for _, tc := range cases {
		_, err := ParseCatalog([]byte(tc.yaml), "bad.yaml")
		if err == nil {
			t.Errorf("%s: got nil error", tc.name)
			continue
		}
		var ce *CatalogError
		if !errors.As(err, &ce) || ce.Code() != "invalid_catalog" {
			t.Errorf("%s: got %T %v, want a *CatalogError", tc.name, err, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

func TestLoadCatalogMerges(t *testing.T) {
	fsys := fstest.MapFS{
		"shop.yaml":    {Data: []byte(goodCatalog)},
		"builtin.yaml": {Data: []byte("name: builtin\nintents: [{name: thanks, fulfilment: {kind: knowledge}, examples: {zh: [谢谢, 多谢]}}]")},
		"dup.yaml":     {Data: []byte("name: dup\nintents: [{name: order_status, fulfilment: {kind: knowledge}, examples: {zh: [a1, a2]}}]")},
		"clash.yaml":   {Data: []byte("name: clash\nintents: [{name: other, fulfilment: {kind: knowledge}, examples: {zh: [查物流, 别的]}}]")},
	}
	c, err := LoadCatalog(fsys, "shop.yaml", "builtin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "shop" || len(c.Intents) != 2 {
		t.Errorf("merged: got %q with %d intents, want shop with 2", c.Name, len(c.Intents))
	}
	if _, err := LoadCatalog(fsys, "shop.yaml", "dup.yaml"); err == nil || !strings.Contains(err.Error(), "dup.yaml") {
		t.Errorf("duplicate intent: got %v, want an error naming dup.yaml", err)
	}
	if _, err := LoadCatalog(fsys, "shop.yaml", "clash.yaml"); err == nil || !strings.Contains(err.Error(), "查物流") {
		t.Errorf("example under two intents: got %v, want an error naming the example", err)
	}
	if _, err := LoadCatalog(fsys, "missing.yaml"); err == nil {
		t.Errorf("missing file: got nil error")
	}
}
