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
