package appliance_test

import (
	"context"
	"strings"
	"testing"

	"kefu/appliance"
	"kefu/nlu"
)

// TestEraseCustomer: an admin with a reason erases what the appliance holds
// about a person; nobody else can, a conversation still open blocks it, the
// audit log says who and why, and the same WeChat account writing again is
// a stranger.
func TestEraseCustomer(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	out := h.say(t, "v-erase", "我的手机13812345678，快递到哪了")
	conv := out.Conversation
	cust, err := h.s.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	cust.DisplayName, cust.Attributes = "张三", map[string]string{"phone": "13812345678"}
	if err := h.s.UpdateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	if err := h.s.SaveDialogueState(ctx, cust.ID, &nlu.State{ActiveIntent: "order_status", Slots: map[string]string{"phone": "13812345678"}}); err != nil {
		t.Fatal(err)
	}
	admin := h.user(t, "root", appliance.RoleAdmin, false)
	boss := h.user(t, "boss", appliance.RoleSupervisor, false)

	if _, err := h.e.EraseCustomer(ctx, cust.ID, boss, "PIPL 删除申请 #17"); appliance.ErrorKind(err) != appliance.EFORBIDDEN {
		t.Errorf("a supervisor erased: %v, want forbidden", err)
	}
	if _, err := h.e.EraseCustomer(ctx, cust.ID, admin, "  "); appliance.ErrorCode(err) != "reason_required" {
		t.Errorf("no reason: %v, want reason_required", err)
	}
	if _, err := h.e.EraseCustomer(ctx, cust.ID, admin, "PIPL 删除申请 #17"); appliance.ErrorCode(err) != "conversation_open" {
		t.Fatalf("open conversation: %v, want conversation_open", err)
	}
	if _, err := h.e.Close(ctx, conv.ID, admin); err != nil {
		t.Fatal(err)
	}
	er, err := h.e.EraseCustomer(ctx, cust.ID, admin, "PIPL 删除申请 #17")
	if err != nil {
		t.Fatal(err)
	}
	if er.CustomerID != cust.ID || er.Conversations != 1 || er.Messages < 2 || er.Identities != 1 {
		t.Errorf("erasure: %+v", er)
	}

	got, err := h.s.Customer(ctx, cust.ID)
	if err != nil || got.ErasedAt == nil || got.DisplayName != "" || len(got.Attributes) != 0 || len(got.Identities) != 0 {
		t.Errorf("customer after erasure: %+v, %v", got, err)
	}
	msgs, _ := h.s.Messages(ctx, appliance.MessageFilter{ConversationID: conv.ID})
	for _, m := range msgs {
		if strings.Contains(m.Text, "13812345678") || m.Text != appliance.ErasedText || m.Decision != nil {
			t.Errorf("message %d after erasure: %q, decision %v", m.ID, m.Text, m.Decision)
		}
	}
	if st, _ := h.s.DialogueState(ctx, cust.ID); len(st.Slots) != 0 {
		t.Errorf("dialogue state after erasure: %+v", st)
	}
	if _, _, err := h.workspace(nil, nil, nil).UpdateProfile(ctx, cust.ID, appliance.ProfileUpdate{Tags: &[]string{"vip"}}); appliance.ErrorCode(err) != "customer_erased" {
		t.Errorf("editing an erased customer: %v, want customer_erased", err)
	}
	audit, _ := h.s.Audit(ctx, appliance.AuditFilter{Action: "customer.erase"})
	if len(audit) != 1 || audit[0].ActorName != "root" || audit[0].Detail["reason"] != "PIPL 删除申请 #17" {
		t.Errorf("audit: %+v", audit)
	}

	// The same visitor writing again is a new customer, with nothing carried over.
	again := h.say(t, "v-erase", "你好")
	if again.Conversation.CustomerID == cust.ID {
		t.Errorf("the erased customer's identity still resolves to it")
	}
}

// TestErasureFourEyes: an admin asks, with the reason; the asker cannot
// decide, agents and supervisors cannot, a second request waits for the
// first; a compliance officer's approval erases (audited with both names),
// a rejection erases nothing, and a decided request cannot be decided again.
func TestErasureFourEyes(t *testing.T) {
	h := newHandoffEnv(t, nil)
	ctx := context.Background()
	out := h.say(t, "v-four-eyes", "我的手机13812345678，快递到哪了")
	conv := out.Conversation
	admin := h.user(t, "root", appliance.RoleAdmin, false)
	other := h.user(t, "root2", appliance.RoleAdmin, false)
	officer := h.user(t, "chen", appliance.RoleCompliance, false)
	boss := h.user(t, "boss", appliance.RoleSupervisor, false)

	if _, err := h.e.RequestErasure(ctx, conv.CustomerID, officer, "PIPL #18"); appliance.ErrorKind(err) != appliance.EFORBIDDEN {
		t.Errorf("a compliance officer asked: %v, want forbidden (admins ask)", err)
	}
	if _, err := h.e.RequestErasure(ctx, conv.CustomerID, admin, ""); appliance.ErrorCode(err) != "reason_required" {
		t.Errorf("no reason: %v", err)
	}
	if _, err := h.e.RequestErasure(ctx, conv.CustomerID, admin, "PIPL #18"); appliance.ErrorCode(err) != "conversation_open" {
		t.Fatalf("open conversation: %v, want conversation_open", err)
	}
	if _, err := h.e.Close(ctx, conv.ID, admin); err != nil {
		t.Fatal(err)
	}
	req, err := h.e.RequestErasure(ctx, conv.CustomerID, admin, "PIPL #18")
	if err != nil || req.Status != appliance.ErasurePending || req.RequestedName != "root" {
		t.Fatalf("request: %+v, %v", req, err)
	}
	if _, err := h.e.RequestErasure(ctx, conv.CustomerID, other, "PIPL #18 again"); appliance.ErrorCode(err) != "erasure_pending" {
		t.Errorf("second request: %v, want erasure_pending", err)
	}
	// Nothing is erased by asking.
	if c, _ := h.s.Customer(ctx, conv.CustomerID); c.ErasedAt != nil || len(c.Identities) == 0 {
		t.Fatalf("customer after the request: %+v", c)
	}
	if _, err := h.e.DecideErasure(ctx, req.ID, admin, true, ""); appliance.ErrorCode(err) != "four_eyes" {
		t.Errorf("the asker approved: %v, want four_eyes", err)
	}
	if _, err := h.e.DecideErasure(ctx, req.ID, boss, true, ""); appliance.ErrorKind(err) != appliance.EFORBIDDEN {
		t.Errorf("a supervisor approved: %v, want forbidden", err)
	}
	// The customer writes again meanwhile: the approval waits for the close.
	h.say(t, "v-four-eyes", "还有个问题")
	if _, err := h.e.DecideErasure(ctx, req.ID, officer, true, "核实无误"); appliance.ErrorCode(err) != "conversation_open" {
		t.Fatalf("approval while open: %v, want conversation_open", err)
	}
	if r, _ := h.s.ErasureRequest(ctx, req.ID); r.Status != appliance.ErasurePending {
		t.Fatalf("request after a refused approval: %+v, want still pending", r)
	}
	open, err := h.s.OpenConversation(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.Close(ctx, open.ID, admin); err != nil {
		t.Fatal(err)
	}
	done, err := h.e.DecideErasure(ctx, req.ID, officer, true, "核实无误")
	if err != nil || done.Status != appliance.ErasureApproved || done.Erasure == nil || done.Erasure.Conversations != 2 {
		t.Fatalf("approval: %+v, %v", done, err)
	}
	if c, _ := h.s.Customer(ctx, conv.CustomerID); c.ErasedAt == nil || len(c.Identities) != 0 {
		t.Errorf("customer after approval: %+v", c)
	}
	audit, _ := h.s.Audit(ctx, appliance.AuditFilter{Action: "customer.erase"})
	if len(audit) != 1 || audit[0].ActorName != "chen" || audit[0].Detail["requested_by"] != "root" || audit[0].Detail["reason"] != "PIPL #18" {
		t.Errorf("erase audit: %+v", audit)
	}
	if _, err := h.e.DecideErasure(ctx, req.ID, other, false, ""); appliance.ErrorCode(err) != "erasure_decided" {
		t.Errorf("deciding again: %v, want erasure_decided", err)
	}

	// A rejection erases nothing.
	out2 := h.say(t, "v-four-eyes-2", "你好")
	if _, err := h.e.Close(ctx, out2.Conversation.ID, admin); err != nil {
		t.Fatal(err)
	}
	req2, err := h.e.RequestErasure(ctx, out2.Conversation.CustomerID, admin, "PIPL #19")
	if err != nil {
		t.Fatal(err)
	}
	rej, err := h.e.DecideErasure(ctx, req2.ID, other, false, "身份未核实")
	if err != nil || rej.Status != appliance.ErasureRejected || rej.DecidedName != "root2" {
		t.Fatalf("rejection: %+v, %v", rej, err)
	}
	if c, _ := h.s.Customer(ctx, out2.Conversation.CustomerID); c.ErasedAt != nil || len(c.Identities) == 0 {
		t.Errorf("customer after rejection: %+v", c)
	}
	if a, _ := h.s.Audit(ctx, appliance.AuditFilter{Action: "customer.erase_reject"}); len(a) != 1 || a[0].Detail["note"] != "身份未核实" {
		t.Errorf("reject audit: %+v", a)
	}
}
