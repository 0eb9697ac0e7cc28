package cli

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestCustomerExportAndErase: a compliance officer exports everything held
// about a person (unmasked, without the team's internal notes; audited);
// an admin asks for it to be erased and a compliance officer approves (the
// asker cannot), after which the export holds nothing of what was said and
// the same app user is a stranger.
func TestCustomerExportAndErase(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	var convID int64
	for i, text := range []string{"我的手机13812345678，运费怎么算", "转人工"} {
		st, b := app.send("dsar-user", fmt.Sprint("d-", i), text)
		if st != 200 {
			t.Fatalf("send %q: %d %v", text, st, b)
		}
		convID = int64(b["conversation_id"].(float64))
	}
	conv := fmt.Sprintf("/api/v1/conversations/%d", convID)
	agent := login(t, p.URL(), "agent1")
	if st, b := agent.do("POST", conv+"/messages", map[string]any{"text": "内部：客户语气急", "note": true}, true); st != 201 {
		t.Fatalf("note: %d %v", st, b)
	}
	p.Engine.Wait()
	st, b := agent.do("GET", conv, nil, false)
	if st != 200 {
		t.Fatalf("conversation: %d %v", st, b)
	}
	custID := int64(b["conversation"].(map[string]any)["customer_id"].(float64))
	customer := fmt.Sprintf("/api/v1/customers/%d", custID)

	// As the appliance runs, the identity is ciphertext found by a keyed
	// hash, not by a plain one anyone could recompute from a guess.
	var row struct{ Kind, Namespace, Value, ValueHash string }
	p.Store.DB().Raw("SELECT kind, namespace, value, value_hash FROM identities WHERE customer_id = ?", custID).Scan(&row)
	plain := sha256.Sum256([]byte(row.Kind + "\x00" + row.Namespace + "\x00" + "dsar-user"))
	if !strings.HasPrefix(row.Value, "kefu:enc:") || row.ValueHash == "" || row.ValueHash == base64.RawURLEncoding.EncodeToString(plain[:]) {
		t.Errorf("identity stored as %+v, want ciphertext and a keyed hash", row)
	}

	if st, _ := agent.do("GET", customer+"/export", nil, false); st != 403 {
		t.Errorf("an agent exported: %d, want 403", st)
	}
	compliance := login(t, p.URL(), "compliance")
	var exp struct {
		Customer struct {
			Identities []struct{ Kind, Value string }
		}
		Conversations []struct {
			ID       int64
			Messages []struct{ Sender, Text string }
		}
		ExportedBy string `json:"exported_by"`
	}
	raw := compliance.raw("GET", customer+"/export")
	if err := json.Unmarshal([]byte(raw), &exp); err != nil {
		t.Fatalf("export: %v\n%s", err, raw)
	}
	if len(exp.Customer.Identities) != 1 || exp.Customer.Identities[0].Value != "dsar-user" || exp.ExportedBy != "compliance" {
		t.Errorf("exported customer: %+v", exp)
	}
	if len(exp.Conversations) != 1 || exp.Conversations[0].ID != convID || len(exp.Conversations[0].Messages) < 3 {
		t.Fatalf("exported conversations: %+v", exp.Conversations)
	}
	all := fmt.Sprint(exp.Conversations[0].Messages)
	if !strings.Contains(all, "13812345678") || strings.Contains(all, "客户语气急") {
		t.Errorf("exported messages: %s; want what was said unmasked, without the internal note", all)
	}
	if st, b := compliance.do("GET", "/api/v1/audit?action=customer.export", nil, false); st != 200 || len(b["entries"].([]any)) != 1 {
		t.Errorf("audit of the export: %d %v", st, b)
	}

	// Erasure: not for supervisors or compliance, not while open, then done.
	for _, who := range []string{"supervisor", "compliance"} {
		if st, _ := login(t, p.URL(), who).do("POST", customer+"/erase", map[string]any{"reason": "申请 #1"}, true); st != 403 {
			t.Errorf("%s erased: %d, want 403", who, st)
		}
	}
	admin := login(t, p.URL(), "admin")
	if st, b := admin.do("POST", customer+"/erase", map[string]any{"reason": "申请 #1"}, true); st != 409 || errCode(b) != "conversation_open" {
		t.Errorf("erase while open: %d %v", st, b)
	}
	if st, b := admin.do("POST", customer+"/erase", map[string]any{"reason": ""}, true); st != 400 || errCode(b) != "reason_required" {
		t.Errorf("erase without a reason: %d %v", st, b)
	}
	if st, b := admin.do("POST", conv+"/close", nil, true); st != 200 {
		t.Fatalf("close: %d %v", st, b)
	}
	// Four eyes: the admin asks; nothing is erased yet.
	st, b = admin.do("POST", customer+"/erase", map[string]any{"reason": "申请 #1"}, true)
	if st != 202 {
		t.Fatalf("erase request: %d %v", st, b)
	}
	reqID := int64(b["request"].(map[string]any)["id"].(float64))
	decide := fmt.Sprintf("/api/v1/erasure-requests/%d/", reqID)
	if raw := compliance.raw("GET", customer+"/export"); !strings.Contains(raw, "13812345678") {
		t.Errorf("the request alone erased the customer")
	}
	if st, b := admin.do("GET", customer+"/profile", nil, false); st != 200 ||
		b["profile"].(map[string]any)["erasure_request"] == nil || b["profile"].(map[string]any)["editable"].(map[string]any)["decide"] != false {
		t.Errorf("the asker's view of the profile: %d %v, want the pending request and no decision", st, b)
	}
	if st, b := admin.do("POST", decide+"approve", nil, true); st != 403 || errCode(b) != "four_eyes" {
		t.Errorf("the asker approved: %d %v, want 403 four_eyes", st, b)
	}
	if st, _ := login(t, p.URL(), "supervisor").do("POST", decide+"approve", nil, true); st != 403 {
		t.Errorf("a supervisor approved: %d, want 403", st)
	}
	if st, b := compliance.do("GET", "/api/v1/erasure-requests", nil, false); st != 200 || len(b["requests"].([]any)) != 1 {
		t.Errorf("pending requests for compliance: %d %v", st, b)
	} else if r := b["requests"].([]any)[0].(map[string]any); r["customer_name"] != "dsar-user" || r["customer_id"] != float64(custID) {
		t.Errorf("the inbox's request: %v, want customer %d named dsar-user", r, custID)
	}
	st, b = compliance.do("POST", decide+"approve", map[string]any{"note": "核实无误"}, true)
	if st != 200 {
		t.Fatalf("approve: %d %v", st, b)
	}
	if er := b["request"].(map[string]any)["erasure"].(map[string]any); er["conversations"] != 1.0 || er["identities"] != 1.0 {
		t.Errorf("erasure: %v", er)
	}
	if st, b := compliance.do("POST", decide+"reject", nil, true); st != 409 || errCode(b) != "erasure_decided" {
		t.Errorf("deciding again: %d %v", st, b)
	}
	raw = compliance.raw("GET", customer+"/export")
	if strings.Contains(raw, "13812345678") || strings.Contains(raw, "dsar-user") || !strings.Contains(raw, "erased_at") {
		t.Errorf("export after the erasure still holds the person:\n%s", raw)
	}
	if st, b := app.send("dsar-user", "d-9", "你好"); st != 200 || int64(b["conversation_id"].(float64)) == convID {
		t.Errorf("the same app user after the erasure: %d %v, want a new conversation", st, b)
	}
}

// With privacy.erasure_approval off, one admin erases alone.
func TestEraseByOneAdmin(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_PRIVACY_ERASURE_APPROVAL": "false"})
	app := &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	st, b := app.send("solo-user", "s-1", "我的手机13812345678")
	if st != 200 {
		t.Fatalf("send: %d %v", st, b)
	}
	admin := login(t, p.URL(), "admin")
	conv := fmt.Sprintf("/api/v1/conversations/%d", int64(b["conversation_id"].(float64)))
	st, b = admin.do("GET", conv, nil, false)
	if st != 200 {
		t.Fatalf("conversation: %d %v", st, b)
	}
	customer := fmt.Sprintf("/api/v1/customers/%d", int64(b["conversation"].(map[string]any)["customer_id"].(float64)))
	if st, b := admin.do("POST", conv+"/close", nil, true); st != 200 {
		t.Fatalf("close: %d %v", st, b)
	}
	if st, b := admin.do("GET", customer+"/profile", nil, false); st != 200 || b["profile"].(map[string]any)["erase_needs_approval"] != false {
		t.Errorf("profile: %d %v, want erase_needs_approval false", st, b)
	}
	st, b = admin.do("POST", customer+"/erase", map[string]any{"reason": "申请 #2"}, true)
	if st != 200 || b["erasure"] == nil {
		t.Fatalf("erase: %d %v, want 200 with the erasure", st, b)
	}
}
