package appliance_test

import (
	"context"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/nlu"
	"kefu/nlu/cascade"
	"kefu/nlu/catalogs"
)

func TestCatalogsSaveVersionsAndApplies(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	cat, err := catalogs.Load("ecommerce")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := cascade.New(ctx, cascade.Config{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	c := appliance.NewCatalogs(s, engine, nil)
	if got, v, err := c.Current(ctx); err != nil || v != nil || got != cat {
		t.Fatalf("current before any save: got %v %v %v, want the configured catalog and no version", got.Name, v, err)
	}
	if stored, _, err := appliance.StoredCatalog(ctx, s); stored != nil || err != nil {
		t.Fatalf("stored before any save: got %v %v, want none", stored, err)
	}
	phrase := "礼物能帮忙寄给我妈妈吗"
	if res, _ := engine.Parse(ctx, nlu.Input{Text: phrase}); res.Intent == "gift_delivery" {
		t.Fatalf("the catalog knows gift_delivery before it was added")
	}
	edited, err := nlu.Merge(cat, &nlu.Catalog{Name: "more", Intents: []nlu.Intent{{Name: "gift_delivery",
		Examples:   nlu.Examples{Zh: []string{"礼物能帮忙寄给我妈妈吗", "想送礼物给朋友 能直接寄过去吗", "帮我把礼物送到我爸那", "代寄礼物怎么弄"}},
		Fulfilment: nlu.Fulfilment{Kind: nlu.FulfilKnowledge}}}})
	if err != nil {
		t.Fatal(err)
	}
	admin := &appliance.User{ID: 7, Username: "admin"}
	v, err := c.Save(ctx, edited, 0, admin, "gift delivery")
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 1 || v.AuthorName != "admin" || v.Intents != len(edited.Intents) {
		t.Errorf("saved: got %+v, want version 1 by admin", v)
	}
	if res, _ := engine.Parse(ctx, nlu.Input{Text: phrase}); res.Intent != "gift_delivery" {
		t.Errorf("after the save: %q is %q, want gift_delivery at once", phrase, res.Intent)
	}
	if _, err := c.Save(ctx, cat, 0, admin, "stale"); appliance.ErrorCode(err) != "catalog_changed" {
		t.Errorf("save from a stale base: got %v, want catalog_changed", err)
	}
	if engine.Catalog() != edited {
		t.Errorf("a refused save changed the catalog in use")
	}
	stored, sv, err := appliance.StoredCatalog(ctx, s)
	if err != nil || sv.Version != 1 {
		t.Fatalf("stored: got %v %v", sv, err)
	}
	if _, ok := stored.Intent("gift_delivery"); !ok || len(stored.Intents) != len(edited.Intents) {
		t.Errorf("stored catalog: got %d intents, want %d with gift_delivery", len(stored.Intents), len(edited.Intents))
	}
}
