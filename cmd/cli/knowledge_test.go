package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kefu/knowledge"
)

// upload posts a multipart form with one file (name, data) and fields.
func (c *consoleClient) upload(path, name string, data []byte, fields map[string]string) (int, map[string]any) {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.url+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("POST %s: status %d, body %q is not JSON", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	return v
}

// Only editors and admins reach the knowledge API; agents, supervisors and
// compliance officers are refused by the server, whatever the UI shows.
func TestKnowledgeAPIAccess(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	anon := &consoleClient{t: t, url: p.URL(), http: http.DefaultClient}
	if st, _ := anon.do("GET", "/api/v1/knowledge/items", nil, false); st != 401 {
		t.Errorf("anonymous list: got %d, want 401", st)
	}
	for user, want := range map[string]int{"editor": 200, "admin": 200, "agent1": 403, "supervisor": 403, "compliance": 403} {
		c := login(t, p.URL(), user)
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/knowledge/items"},
			{"GET", "/api/v1/knowledge/items/faq-shipping-fee"},
			{"GET", "/api/v1/knowledge/items/faq-shipping-fee/versions/1"},
			{"POST", "/api/v1/knowledge/try"},
		} {
			var body any
			if r.method == "POST" {
				body = map[string]any{"text": "运费怎么算"}
			}
			if st, b := c.do(r.method, r.path, body, true); st != want {
				t.Errorf("%s %s %s: got %d %v, want %d", user, r.method, r.path, st, b, want)
			}
		}
		if want == 403 {
			if st, b := c.upload("/api/v1/knowledge/uploads", "faq.csv", []byte("问题,答案\n甲？,乙。\n"), nil); st != 403 {
				t.Errorf("%s upload: got %d %v, want 403", user, st, b)
			}
			if st, b := c.do("POST", "/api/v1/knowledge/items/faq-shipping-fee/transitions", map[string]any{"action": "unpublish"}, true); st != 403 {
				t.Errorf("%s unpublish: got %d %v, want 403", user, st, b)
			}
		}
	}
}

// Broken, oversized and unsupported files get a 4xx with a stable code and
// a message naming the file; nothing is stored.
func TestKnowledgeUploadErrors(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_KNOWLEDGE_MAX_UPLOAD_BYTES": "65536"})
	ed := login(t, p.URL(), "editor")
	_, before := ed.do("GET", "/api/v1/knowledge/items?limit=1", nil, false)
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		code   string
	}{
		{"scan.pdf", []byte("%PDF-1.7\n1 0 obj broken beyond repair"), 400, "corrupt_file"},
		{"policy.docx", []byte("PK\x03\x04 not really a zip"), 400, "corrupt_file"},
		{"tool.exe", append([]byte("MZ\x90\x00\x03"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 64)...), 415, "unsupported_type"},
		{"big.md", bytes.Repeat([]byte("退货政策说明。"), 4000), 413, "file_too_large"},
		{"huge.md", bytes.Repeat([]byte("退货政策说明。"), 100_000), 413, "file_too_large"},
		{"faq.csv", []byte("名称,内容\n运费,满99包邮\n"), 400, "invalid_faq_sheet"},
		{"faq2.csv", []byte("问题,答案\n运费怎么算？,\n"), 400, "invalid_faq_sheet"},
		{"empty.txt", []byte("   \n"), 400, "empty_document"},
	} {
		st, b := ed.upload("/api/v1/knowledge/uploads", c.name, c.data, nil)
		if st != c.status || errCode(b) != c.code {
			t.Errorf("%s: got %d %v, want %d %s", c.name, st, b, c.status, c.code)
			continue
		}
		if !strings.Contains(errMessage(b), c.name) {
			t.Errorf("%s: the message %q does not name the file", c.name, errMessage(b))
		}
	}
	if st, b := ed.upload("/api/v1/knowledge/uploads", "", nil, map[string]string{"note": "x"}); st != 400 || errCode(b) != "missing_file" {
		t.Errorf("no file: got %d %v, want 400 missing_file", st, b)
	}
	if st, b := ed.do("POST", "/api/v1/knowledge/uploads", map[string]any{"file": "x"}, true); st != 415 || errCode(b) != "unsupported_media_type" {
		t.Errorf("JSON instead of multipart: got %d %v, want 415", st, b)
	}
	// The larger limit is for uploads only: a JSON route keeps the global one.
	long := strings.Repeat("运", 400_000)
	if st, b := ed.do("POST", "/api/v1/knowledge/try", map[string]any{"text": long}, true); st != 413 || errCode(b) != "body_too_large" {
		t.Errorf("a 1.2 MB JSON body: got %d %v, want 413 body_too_large", st, b)
	}
	_, after := ed.do("GET", "/api/v1/knowledge/items?limit=1", nil, false)
	if before["total"] != after["total"] {
		t.Errorf("failed uploads changed the item count: %v → %v", before["total"], after["total"])
	}
	// The same sheet twice: the second is refused as a duplicate.
	sheet := []byte("问题,相似问题,答案,标签\n店里能带宠物吗？,可以带狗吗|宠物能进店吗,可以，小型宠物请牵好绳。,门店\n")
	if st, b := ed.upload("/api/v1/knowledge/uploads", "pets.csv", sheet, nil); st != 201 {
		t.Fatalf("first upload: %d %v", st, b)
	}
	if st, b := ed.upload("/api/v1/knowledge/uploads", "pets.csv", sheet, nil); st != 409 || !strings.Contains(errMessage(b), "pets.csv") {
		t.Errorf("repeated sheet: got %d %v, want 409 naming pets.csv", st, b)
	}
}

// ask sends one customer message through the app API and returns the
// bot's reply text.
func ask(t *testing.T, app *appClient, user, id, text string) string {
	t.Helper()
	st, body := app.send(user, id, text)
	if st != 200 {
		t.Fatalf("%s: status %d %v", text, st, body)
	}
	var texts []string
	for _, r := range replies(body) {
		texts = append(texts, fmt.Sprint(r["text"]))
	}
	return strings.Join(texts, "\n")
}

const petsAnswer = "可以，小型宠物请牵好绳，大型犬暂不能进店。"

// An FAQ entry answers customers only once published, verbatim, and stops
// when unpublished; every step is in the item's history and the audit log.
func TestKnowledgeWorkflowThroughTheAppAPI(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	ed := login(t, p.URL(), "editor")
	sheet := "问题,相似问题,答案,标签\n店里能带宠物吗？,可以带狗进店吗|宠物能进店吗," + petsAnswer + ",门店\n"
	st, b := ed.upload("/api/v1/knowledge/uploads", "pets.csv", []byte(sheet), map[string]string{"note": "门店新规"})
	if st != 201 {
		t.Fatalf("upload: %d %v", st, b)
	}
	items := b["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("upload made %d items, want 1", len(items))
	}
	id := items[0].(map[string]any)["id"].(string)
	if acts := fmt.Sprint(items[0].(map[string]any)["actions"]); acts != "[submit]" {
		t.Errorf("a new draft's actions: got %s, want [submit]", acts)
	}
	// A question the knowledge base does not cover gets "I don't know",
	// not the fund purchase cut-off it once got.
	if got := ask(t, app, "shoe-1", "m1", "我昨天买的鞋子啥时候到?"); strings.Contains(got, "交易日") || strings.Contains(got, "收益") {
		t.Errorf("an uncovered question was answered from an unrelated passage: %q", got)
	}
	const q = "宠物能进店吗"
	if got := ask(t, app, "pet-1", "m1", q); strings.Contains(got, petsAnswer) {
		t.Fatalf("a draft answered a customer: %q", got)
	}
	for _, a := range []string{"submit", "publish"} {
		if st, b := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": a, "note": a + " it"}, true); st != 200 {
			t.Fatalf("%s: %d %v", a, st, b)
		}
	}
	if got := ask(t, app, "pet-2", "m1", q); got != petsAnswer {
		t.Errorf("published: got %q, want the curated answer verbatim %q", got, petsAnswer)
	}
	st, b = ed.do("POST", "/api/v1/knowledge/try", map[string]any{"text": q}, true)
	if st != 200 || field(b, "answer", "kind") != "faq" || b["reply"] != petsAnswer {
		t.Fatalf("try it: %d %v", st, b)
	}
	ps := field(b, "answer", "passages").([]any)
	top := ps[0].(map[string]any)
	if top["document_id"] != id || top["score"].(float64) <= 0 || field(top, "scores", "match").(float64) < 0.6 {
		t.Errorf("try it: the top passage %v should be %s with its scores", top, id)
	}
	// A new draft does not replace the published answer until published.
	st, b = ed.do("PUT", "/api/v1/knowledge/items/"+id, map[string]any{"expect_version": 1, "question": "店里能带宠物吗？",
		"similar": []string{"可以带狗进店吗"}, "answer": "草稿：所有宠物都不能进店。", "note": "改口径"}, true)
	if st != 200 || field(b, "item", "version").(float64) != 2 || field(b, "item", "status") != "draft" {
		t.Fatalf("edit: %d %v", st, b)
	}
	if st, b := ed.do("PUT", "/api/v1/knowledge/items/"+id, map[string]any{"expect_version": 1, "question": "店里能带宠物吗？", "answer": "又改"}, true); st != 409 || errCode(b) != "version_conflict" {
		t.Errorf("a stale edit: got %d %v, want 409 version_conflict", st, b)
	}
	if got := ask(t, app, "pet-3", "m1", q); got != petsAnswer {
		t.Errorf("with a newer draft: got %q, want the published version %q", got, petsAnswer)
	}
	if st, b := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": "publish"}, true); st != 409 || errCode(b) != "invalid_transition" {
		t.Errorf("publishing a draft without review: got %d %v, want 409 invalid_transition", st, b)
	}
	if st, b := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": "unpublish"}, true); st != 200 {
		t.Fatalf("unpublish: %d %v", st, b)
	}
	if got := ask(t, app, "pet-4", "m1", q); strings.Contains(got, "牵好绳") {
		t.Errorf("unpublished: the bot still answers from it: %q", got)
	}
	st, b = ed.do("GET", "/api/v1/knowledge/items/"+id, nil, false)
	if st != 200 {
		t.Fatalf("item: %d %v", st, b)
	}
	var steps []string
	for _, e := range b["history"].([]any) {
		ev := e.(map[string]any)
		steps = append(steps, fmt.Sprintf("%s:%s", ev["action"], ev["actor"]))
	}
	if got := strings.Join(steps, " "); got != "create:editor submit:editor publish:editor edit:editor unpublish:editor" {
		t.Errorf("history: got %s", got)
	}
	if vs := b["versions"].([]any); len(vs) != 2 || vs[1].(map[string]any)["note"] != "改口径" {
		t.Errorf("versions: got %v", vs)
	}
	admin := login(t, p.URL(), "admin")
	_, audit := admin.do("GET", "/api/v1/audit?target_type=knowledge_item&target_id="+id, nil, false)
	var actions []string
	for _, e := range audit["entries"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if got := strings.Join(actions, " "); got != "knowledge.unpublish knowledge.edit knowledge.publish knowledge.submit" {
		t.Errorf("audit log: got %s", got)
	}
}

// Documents: an upload is chunked with heading paths, versions and chunks
// can be read back, and a document answers once published.
func TestKnowledgeDocumentChunks(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	ed := login(t, p.URL(), "editor")
	doc := "# 会员积分规则\n\n## 积分有效期\n\n积分自获得之日起 12 个月内有效，过期自动清零。\n\n## 积分兑换\n\n100 积分可抵扣 1 元，单笔最多抵扣订单金额的 20%。\n"
	st, b := ed.upload("/api/v1/knowledge/uploads", "points.md", []byte(doc), map[string]string{"tags": "会员, 积分"})
	if st != 201 {
		t.Fatalf("upload: %d %v", st, b)
	}
	id := b["items"].([]any)[0].(map[string]any)["id"].(string)
	st, b = ed.do("GET", "/api/v1/knowledge/items/"+id+"/versions/1", nil, false)
	if st != 200 {
		t.Fatalf("version: %d %v", st, b)
	}
	chunks := field(b, "version", "chunks").([]any)
	found := false
	for _, c := range chunks {
		c := c.(map[string]any)
		if strings.Contains(c["text"].(string), "100 积分") && fmt.Sprint(c["heading_path"]) == "[会员积分规则 积分兑换]" {
			found = true
		}
	}
	if !found {
		t.Errorf("no chunk about 积分兑换 under its heading path: %v", chunks)
	}
	if st, b := ed.do("GET", "/api/v1/knowledge/items?tag=积分&kind=document", nil, false); st != 200 || b["total"].(float64) != 1 {
		t.Errorf("tag filter: %d %v", st, b)
	}
	if st, b := ed.do("GET", "/api/v1/knowledge/items?status=bogus", nil, false); st != 400 || errCode(b) != "invalid_status" {
		t.Errorf("bad status filter: %d %v", st, b)
	}
	if st, b := ed.do("GET", "/api/v1/knowledge/items/"+id+"/versions/9", nil, false); st != 404 || errCode(b) != "not_found" {
		t.Errorf("missing version: %d %v", st, b)
	}
	for _, a := range []string{"submit", "publish"} {
		if st, b := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": a}, true); st != 200 {
			t.Fatalf("%s: %d %v", a, st, b)
		}
	}
	st, b = ed.do("POST", "/api/v1/knowledge/try", map[string]any{"text": "积分多久过期"}, true)
	if st != 200 || field(b, "answer", "kind") == "none" || !strings.Contains(b["reply"].(string), "12 个月") {
		t.Errorf("try it on the document: %d %v", st, b)
	}
	// Editing the text makes version 2 with its own chunks.
	st, b = ed.do("PUT", "/api/v1/knowledge/items/"+id, map[string]any{"expect_version": 1, "title": "会员积分规则（2027）",
		"text": strings.Replace(doc, "12 个月", "24 个月", 1), "note": "延长有效期"}, true)
	if st != 200 || field(b, "item", "version").(float64) != 2 || field(b, "item", "title") != "会员积分规则（2027）" {
		t.Fatalf("edit document: %d %v", st, b)
	}
	st, b = ed.do("GET", "/api/v1/knowledge/items/"+id+"/versions/2", nil, false)
	if st != 200 || !strings.Contains(fmt.Sprint(field(b, "version", "chunks")), "24 个月") {
		t.Errorf("version 2 chunks: %d %v", st, b)
	}
}

// A restart loses nothing: what was uploaded and published is still in the
// database and still answers; the persisted index is reloaded, and rebuilt
// from the database when it is lost.
func TestKnowledgeSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	p, stop := startApp(t, dir, nil)
	demoItems, _, err := p.Store.Knowledge().Items(t.Context(), knowledgeAll)
	if err != nil {
		t.Fatal(err)
	}
	ed := login(t, p.URL(), "editor")
	sheet := "问题,相似问题,答案\n店里能带宠物吗？,可以带狗进店吗," + petsAnswer + "\n"
	st, b := ed.upload("/api/v1/knowledge/uploads", "pets.csv", []byte(sheet), nil)
	if st != 201 {
		t.Fatalf("upload: %d %v", st, b)
	}
	id := b["items"].([]any)[0].(map[string]any)["id"].(string)
	for _, a := range []string{"submit", "publish"} {
		if st, b := ed.do("POST", "/api/v1/knowledge/items/"+id+"/transitions", map[string]any{"action": a}, true); st != 200 {
			t.Fatalf("%s: %d %v", a, st, b)
		}
	}
	stop()

	for round, lose := range []bool{false, true} {
		if lose {
			if err := os.RemoveAll(filepath.Join(dir, "index")); err != nil {
				t.Fatal(err)
			}
		}
		p, stop := startApp(t, dir, nil)
		items, total, err := p.Store.Knowledge().Items(t.Context(), knowledgeAll)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(demoItems)+1 {
			t.Errorf("round %d: %d items after restart, want %d (the demo import must not repeat)", round, total, len(demoItems)+1)
		}
		_ = items
		indexed, _ := p.KB.Index.Count(t.Context())
		if !lose && p.KB.Synced.Indexed != 0 {
			t.Errorf("restart: re-indexed %d items, want 0 (the persisted index is reloaded)", p.KB.Synced.Indexed)
		}
		if lose && p.KB.Synced.Indexed != len(demoItems)+1 {
			t.Errorf("lost index: re-indexed %d items, want %d", p.KB.Synced.Indexed, len(demoItems)+1)
		}
		if indexed == 0 {
			t.Errorf("round %d: the index is empty", round)
		}
		app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
		if got := ask(t, app, fmt.Sprint("pet-r", round), "m1", "宠物能进店吗"); got != petsAnswer {
			t.Errorf("round %d: got %q, want the published answer %q", round, got, petsAnswer)
		}
		stop()
	}
}

var knowledgeAll = knowledge.ItemFilter{Limit: 1000}
