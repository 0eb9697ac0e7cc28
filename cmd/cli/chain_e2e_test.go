package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// TestVerifyConversation: a compliance officer verifies a conversation the
// bot and an agent took part in; an edit made in the database afterwards
// shows at the message edited; every verification is audited.
func TestVerifyConversation(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	ctx := context.Background()
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	var convID float64
	for i, text := range []string{"运费怎么算", "转人工"} {
		st, b := app.send("chain-user", fmt.Sprint("c-", i), text)
		if st != 200 {
			t.Fatalf("send %q: %d %v", text, st, b)
		}
		convID = b["conversation_id"].(float64)
	}
	agent := login(t, p.URL(), "agent1")
	path := fmt.Sprintf("/api/v1/conversations/%d", int64(convID))
	if st, b := agent.do("POST", path+"/messages", map[string]any{"text": "您好，我是小王"}, true); st != 201 {
		t.Fatalf("agent reply: %d %v", st, b)
	}
	p.Engine.Wait()

	compliance := login(t, p.URL(), "compliance")
	st, b := compliance.do("GET", path+"/verify", nil, false)
	chain, _ := b["chain"].(map[string]any)
	if st != 200 || chain["valid"] != true || chain["sealed"] != chain["messages"] || chain["messages"].(float64) < 5 {
		t.Fatalf("verify: %d %v, want every message sealed and valid", st, b)
	}
	head := chain["head_hash"].(string)

	// The exported record verifies from the file alone; an edit to the file shows.
	file := filepath.Join(t.TempDir(), "record.json")
	os.WriteFile(file, []byte(compliance.raw("GET", path+"/transcript")), 0o600)
	verifyRecord := func() (int, string, string) {
		var out, errb bytes.Buffer
		code := Main([]string{"verify-record", file}, &out, &errb, os.Getenv)
		return code, out.String(), errb.String()
	}
	if code, out, errs := verifyRecord(); code != 0 || !strings.Contains(out, "intact") || !strings.Contains(out, head) {
		t.Errorf("verify-record of the exported record: %d %q %q, want intact with head %s", code, out, errs, head)
	}
	rec, _ := os.ReadFile(file)
	os.WriteFile(file, bytes.Replace(rec, []byte("您好，我是小王"), []byte("您好，我是小李"), 1), 0o600)
	if code, _, errs := verifyRecord(); code != 1 || !strings.Contains(errs, "BROKEN") || !strings.Contains(errs, "it was changed") {
		t.Errorf("verify-record of an edited file: %d %q, want BROKEN", code, errs)
	}
	if code, _, _ := verifyRecord(); code == 0 {
		t.Error("an edited record verified")
	}
	os.WriteFile(file, []byte(`{"not":"a record"}`), 0o600)
	if code, _, errs := verifyRecord(); code != 1 || !strings.Contains(errs, "not an exported conversation record") {
		t.Errorf("verify-record of another file: %d %q", code, errs)
	}

	// Someone edits the bot's answer in the database.
	var botID int64
	p.Store.DB().Raw("SELECT id FROM messages WHERE conversation_id = ? AND sender = 'bot' ORDER BY id LIMIT 1", int64(convID)).Scan(&botID)
	p.Store.DB().Exec("UPDATE messages SET text = ? WHERE id = ?", "运费全免", botID)
	_, b = compliance.do("GET", path+"/verify", nil, false)
	chain, _ = b["chain"].(map[string]any)
	if chain["valid"] != false || chain["problem"] != "edited" || chain["broken_at"] != float64(botID) {
		t.Errorf("after the edit: %v, want edited at message %d", b, botID)
	}
	audit, _ := p.Store.Audit(ctx, appliance.AuditFilter{Action: "conversation.verify"})
	if len(audit) != 2 || audit[1].Detail["head_hash"] != head || audit[1].Detail["valid"] != true || audit[0].Detail["valid"] != false ||
		audit[0].ActorName == "" {
		t.Errorf("audit: %+v", audit)
	}
	// The case-file export carries each message's hash and what verifying found.
	st, b = compliance.do("GET", path+"/transcript", nil, false)
	msgs, _ := b["messages"].([]any)
	if st != 200 || len(msgs) < 5 || b["exported_by"] != "compliance" {
		t.Fatalf("transcript: %d %v", st, b)
	}
	first := msgs[0].(map[string]any)
	if first["seq"] != float64(1) || len(first["chain_hash"].(string)) != 64 {
		t.Errorf("transcript message: %v, want seq 1 and its hash", first)
	}
	if chain := b["chain"].(map[string]any); chain["valid"] != false || chain["problem"] != "edited" {
		t.Errorf("transcript chain: %v, want the edit reported", chain)
	}
	me, _ := p.Store.UserByUsername(ctx, "agent1")
	if agents, _ := b["agents"].(map[string]any); agents[fmt.Sprint(me.ID)] != me.DisplayName || me.DisplayName == "" {
		t.Errorf("transcript agents: %v, want agent1 named %q", b["agents"], me.DisplayName)
	}
	resp, err := compliance.http.Get(p.URL() + path + "/transcript?format=html")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "会话记录") || !strings.Contains(string(page), "运费全免") ||
		!strings.Contains(string(page), "校验失败") || !strings.Contains(string(page), me.DisplayName) {
		t.Errorf("printable transcript: %d %.300s", resp.StatusCode, page)
	}
	if st, b := compliance.do("GET", path+"/transcript?format=pdf", nil, false); st != 400 || errCode(b) != "invalid_format" {
		t.Errorf("format=pdf: %d %v", st, b)
	}
	if st, _ := agent.do("GET", path+"/transcript", nil, false); st != 403 {
		t.Errorf("agent export: %d, want 403", st)
	}
	if exports, _ := p.Store.Audit(ctx, appliance.AuditFilter{Action: "conversation.export"}); len(exports) != 3 {
		t.Errorf("export audit: %d entries, want 3", len(exports))
	}
	editor := login(t, p.URL(), "editor")
	if st, _ := editor.do("GET", path+"/verify", nil, false); st != 403 {
		t.Errorf("editor: %d, want 403", st)
	}
}

// TestIntegrityJob: the nightly job verifies every conversation of the day;
// a conversation edited in the database is counted broken, audited and
// raised to supervisors.
func TestIntegrityJob(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	ctx := context.Background()
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	var convs []int64
	for i, user := range []string{"int-a", "int-b", "int-c"} {
		st, b := app.send(user, fmt.Sprint("i-", i), "运费怎么算")
		if st != 200 {
			t.Fatalf("send: %d %v", st, b)
		}
		convs = append(convs, int64(b["conversation_id"].(float64)))
	}
	p.Engine.Wait()
	p.Store.DB().Exec("UPDATE messages SET text = '已退款' WHERE conversation_id = ? AND sender = 'bot'", convs[1])
	// The third stands for data stored before the chain existed.
	p.Store.DB().Exec("UPDATE messages SET seq = NULL, chain_hash = NULL WHERE conversation_id = ?", convs[2])
	p.Store.DB().Exec("UPDATE conversations SET chain_seq = 0, chain_head = NULL WHERE id = ?", convs[2])

	first, err := p.Store.Messages(ctx, appliance.MessageFilter{ConversationID: convs[0], Limit: 1})
	if err != nil || len(first) == 0 {
		t.Fatalf("messages: %v %v", first, err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai") // jobs.timezone
	d := first[0].CreatedAt.In(loc)              // the day the messages were stored, whatever the clock says now
	run, err := p.QA.Jobs.RunNow(ctx, JobIntegrity, time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != "succeeded" || run.Counts["broken"] != 1 || run.Counts["unsealed"] != 1 || run.Counts["intact"] < 1 ||
		run.Counts["conversations"] != run.Counts["broken"]+run.Counts["unsealed"]+run.Counts["intact"] {
		t.Fatalf("integrity run: %+v, want succeeded with one broken, one unsealed and the others intact", run)
	}
	audit, _ := p.Store.Audit(ctx, appliance.AuditFilter{Action: "conversation.integrity_failed"})
	if len(audit) != 1 || audit[0].TargetID != fmt.Sprint(convs[1]) || audit[0].Detail["problem"] != "edited" {
		t.Errorf("audit: %+v, want conversation %d edited", audit, convs[1])
	}
}
