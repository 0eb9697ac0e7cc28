package cli

import (
	"context"
	"fmt"
	"testing"

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
	editor := login(t, p.URL(), "editor")
	if st, _ := editor.do("GET", path+"/verify", nil, false); st != 403 {
		t.Errorf("editor: %d, want 403", st)
	}
}
