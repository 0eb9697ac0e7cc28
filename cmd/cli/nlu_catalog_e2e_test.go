package cli

import (
	"fmt"
	"strings"
	"testing"
)

// giftDelivery is the intent an admin adds in the tests: a new phrasing the
// shipped catalogs do not know, with a question to ask.
var giftDelivery = map[string]any{
	"name":        "gift_delivery",
	"description": map[string]any{"zh": "代寄礼物", "en": "Send a gift"},
	"examples": map[string]any{"zh": []string{"礼物能帮忙寄给我妈妈吗", "想送礼物给朋友 能直接寄过去吗", "帮我把礼物送到我爸那",
		"代寄礼物怎么弄", "可以直接把礼物寄给别人吗"}},
	"slots": []map[string]any{{"name": "delivery_date", "entity": "date", "required": true,
		"ask": map[string]any{"zh": "请问希望礼物哪天送到？", "en": "When should the gift arrive?"}}},
	"fulfilment": map[string]any{"kind": "knowledge"},
}

func TestCatalogEditing(t *testing.T) {
	dir := t.TempDir()
	p, stop := startApp(t, dir, nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	admin := login(t, p.URL(), "admin")
	const phrase = "可以帮我把礼物寄给我妈妈吗"

	st, cur := admin.do("GET", "/api/v1/nlu/catalog", nil, false)
	if st != 200 || cur["source"] != "configuration" || cur["version"] != float64(0) || !strings.Contains(cur["yaml"].(string), "order_status") {
		t.Fatalf("catalog before any edit: %d source %v version %v", st, cur["source"], cur["version"])
	}
	_, before := app.send("cat-1", "c-1", phrase)
	if got := replies(before); len(got) == 1 && got[0]["text"] == "请问希望礼物哪天送到？" {
		t.Fatalf("the bot asks the gift question before the intent exists")
	}

	// Access: only admins change the catalog; reviewers may read it.
	for user, want := range map[string]int{"supervisor": 403, "agent1": 403, "editor": 403, "compliance": 403} {
		c := login(t, p.URL(), user)
		if st, b := c.do("PUT", "/api/v1/nlu/catalog", map[string]any{"yaml": cur["yaml"], "base_version": 0}, true); st != want {
			t.Errorf("%s saves the catalog: got %d %v, want %d", user, st, b, want)
		}
		wantRead := 200
		if user == "agent1" {
			wantRead = 403
		}
		if st, _ := c.do("GET", "/api/v1/nlu/catalog", nil, false); st != wantRead {
			t.Errorf("%s reads the catalog: got %d, want %d", user, st, wantRead)
		}
	}

	// Bad edits are refused with the intent and field named; nothing changes.
	bad := strings.Replace(cur["yaml"].(string), "fulfilment:\n      kind: action\n      action: order.track", "fulfilment:\n      kind: magic", 1)
	if st, b := admin.do("PUT", "/api/v1/nlu/catalog", map[string]any{"yaml": bad, "base_version": 0}, true); st != 400 ||
		errCode(b) != "invalid_catalog" || !strings.Contains(fmt.Sprint(b), `intent "order_status"`) || !strings.Contains(fmt.Sprint(b), "fulfilment.kind") {
		t.Errorf("invalid kind: got %d %v, want invalid_catalog naming order_status and fulfilment.kind", st, b)
	}
	if st, b := admin.do("PUT", "/api/v1/nlu/catalog", map[string]any{"yaml": cur["yaml"]}, true); st != 400 || errCode(b) != "missing_field" {
		t.Errorf("no base_version: got %d %v", st, b)
	}

	// The structured editor's save: the catalog as JSON with one intent more.
	cat := cur["catalog"].(map[string]any)
	cat["intents"] = append(cat["intents"].([]any), giftDelivery)
	st, saved := admin.do("PUT", "/api/v1/nlu/catalog", map[string]any{"catalog": cat, "base_version": 0, "note": "代寄礼物"}, true)
	if st != 200 {
		t.Fatalf("save: %d %v", st, saved)
	}
	if v := saved["version"].(map[string]any); v["version"] != float64(1) || v["author_name"] != "admin" {
		t.Errorf("saved version: got %v, want 1 by admin", v)
	}
	// Applied at once: the new phrasing is understood by the very next message.
	_, after := app.send("cat-2", "c-1", phrase)
	if got := replies(after); len(got) != 1 || got[0]["text"] != "请问希望礼物哪天送到？" {
		t.Errorf("after the save: got %v, want the gift question", got)
	}
	// A second editor who opened version 0 cannot overwrite it.
	if st, b := admin.do("PUT", "/api/v1/nlu/catalog", map[string]any{"yaml": cur["yaml"], "base_version": 0}, true); st != 409 || errCode(b) != "catalog_changed" {
		t.Errorf("stale save: got %d %v, want 409 catalog_changed", st, b)
	}
	_, audit := admin.do("GET", "/api/v1/audit?action=nlu.catalog.update", nil, false)
	entries, _ := audit["entries"].([]any)
	if len(entries) != 1 || !strings.Contains(fmt.Sprint(entries[0]), "gift_delivery") || !strings.Contains(fmt.Sprint(entries[0]), "admin") {
		t.Errorf("audit: got %v, want one nlu.catalog.update by admin adding gift_delivery", entries)
	}
	_, list := admin.do("GET", "/api/v1/nlu/catalog/versions", nil, false)
	if vs, _ := list["versions"].([]any); len(vs) != 1 {
		t.Errorf("versions: got %v, want one", list)
	}
	if st, v := admin.do("GET", "/api/v1/nlu/catalog/versions/1", nil, false); st != 200 || !strings.Contains(fmt.Sprint(v), "gift_delivery") {
		t.Errorf("version 1: got %d %v", st, v)
	}
	if st, b := admin.do("GET", "/api/v1/nlu/catalog/versions/7", nil, false); st != 404 {
		t.Errorf("missing version: got %d %v, want 404", st, b)
	}
	st, parsed := admin.do("POST", "/api/v1/nlu/parse", map[string]any{"text": phrase}, true)
	if r, _ := parsed["result"].(map[string]any); st != 200 || r["intent"] != "gift_delivery" {
		t.Errorf("parse: got %d %v, want gift_delivery", st, parsed)
	}

	// Restarted, the appliance starts from the saved version, not the configuration.
	stop()
	p2, _ := startApp(t, dir, nil)
	app2 := &appClient{t: t, url: p2.URL(), key: p2.DemoInfo.AppKey, secret: p2.DemoInfo.AppSecret}
	if _, b := app2.send("cat-3", "c-1", phrase); len(replies(b)) != 1 || replies(b)[0]["text"] != "请问希望礼物哪天送到？" {
		t.Errorf("after a restart: got %v, want the saved catalog in use", replies(b))
	}
	if _, c := login(t, p2.URL(), "admin").do("GET", "/api/v1/nlu/catalog", nil, false); c["source"] != "database" || c["version"] != float64(1) {
		t.Errorf("after a restart: source %v version %v, want database version 1", c["source"], c["version"])
	}
}
