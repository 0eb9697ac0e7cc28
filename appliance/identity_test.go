package appliance_test

import (
	"context"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/nlu"
)

func wechatIn(openID, msgID, text, unionID string) appliance.Inbound {
	in := appliance.Inbound{Channel: "wechat_oa", MessageID: msgID, Text: text,
		Identity: appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wxoa", Value: openID}}
	if unionID != "" {
		in.Also = []appliance.Identity{{Kind: appliance.IdentityWeChatUnionID, Value: unionID, Verified: true}}
	}
	return in
}

func appIn(user, msgID, text string, also ...appliance.Identity) appliance.Inbound {
	return appliance.Inbound{Channel: "app", MessageID: msgID, Text: text, SyncReply: true, Also: also,
		Identity: appliance.Identity{Kind: appliance.IdentityAppUser, Value: user, Verified: true}}
}

var unionX = appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-x", Verified: true}

func TestVerifiedIdentitiesJoinCustomers(t *testing.T) {
	e, s, _ := newEngine(t)
	ctx := context.Background()

	wx := mustReceive(t, e, wechatIn("openid-1", "w1", "在吗", "union-x"))
	a := wx.Conversation.CustomerID
	cust, _ := s.Customer(ctx, a)
	if len(cust.Identities) != 2 || cust.Identities[1].Kind != appliance.IdentityWeChatUnionID || !cust.Identities[1].Verified {
		t.Fatalf("identities after the first WeChat message: got %+v, want the openid and the verified unionid", cust.Identities)
	}

	// A new app user whose verified unionid is known joins that customer:
	// nothing to merge, no second record.
	app := mustReceive(t, e, appIn("u-new", "a1", "在吗", unionX))
	if app.Conversation.CustomerID != a {
		t.Fatalf("new app user with a known unionid: customer %d, want %d", app.Conversation.CustomerID, a)
	}
	if id, err := s.FindIdentity(ctx, appliance.IdentityAppUser, "", "u-new"); err != nil || id.CustomerID != a {
		t.Fatalf("app identity: got %+v, %v; want it attached to customer %d", id, err, a)
	}

	// An unverified companion identity is neither attached nor used.
	mustReceive(t, e, appIn("u-2", "b0", "在吗", appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-x"}))
	b, _ := s.FindIdentity(ctx, appliance.IdentityAppUser, "", "u-2")
	if b.CustomerID == a {
		t.Fatal("an unverified unionid joined two customers")
	}
	bHist, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: b.CustomerID})

	// The same app user later proves the unionid: the two records merge,
	// the older one survives, with one history in order.
	out := mustReceive(t, e, appIn("u-2", "b1", "运费怎么算", unionX))
	if out.Conversation.CustomerID != a {
		t.Fatalf("after proof: customer %d, want the older record %d", out.Conversation.CustomerID, a)
	}
	hist, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: a})
	channels := map[string]int{}
	for i, m := range hist {
		channels[m.Channel]++
		if i > 0 && m.ID < hist[i-1].ID {
			t.Fatal("history out of order")
		}
	}
	if want := len(bHist) + 4 + 2; len(hist) != want || channels["wechat_oa"] != 2 {
		t.Fatalf("merged history: got %d messages (%v), want %d from both records", len(hist), channels, want)
	}
	merges, _ := s.CustomerMerges(ctx, a)
	if len(merges) != 1 || merges[0].LoserID != b.CustomerID || merges[0].Reason != "wechat_unionid" || merges[0].Channel != "app" || merges[0].ActorType != "system" {
		t.Fatalf("merge record: got %+v", merges)
	}
	audit, _ := s.Audit(ctx, appliance.AuditFilter{Action: "customer.merge"})
	if len(audit) != 1 {
		t.Errorf("audit: got %d customer.merge entries, want 1", len(audit))
	}

	// Undoing is for supervisors, audited, and sticks.
	agent := &appliance.User{ID: 3, Username: "agent1", Role: appliance.RoleAgent}
	if _, err := e.Unmerge(ctx, merges[0].ID, agent, "错误合并"); appliance.ErrorKind(err) != appliance.EFORBIDDEN {
		t.Fatalf("agent unmerge: got %v, want forbidden", err)
	}
	sup := &appliance.User{ID: 2, Username: "supervisor", Role: appliance.RoleSupervisor}
	m, err := e.Unmerge(ctx, merges[0].ID, sup, "错误合并")
	if err != nil {
		t.Fatal(err)
	}
	if m.UndoneAt == nil || m.UndoneByName != "supervisor" {
		t.Errorf("undo record: got %+v", m)
	}
	if _, err := e.Unmerge(ctx, m.ID, sup, "again"); appliance.ErrorCode(err) != "merge_undone" {
		t.Errorf("second unmerge: got %v, want merge_undone", err)
	}
	back, _ := s.Customer(ctx, b.CustomerID)
	if back.ID != b.CustomerID {
		t.Fatalf("after unmerge the app user's record resolves to %d, want %d", back.ID, b.CustomerID)
	}
	again := mustReceive(t, e, appIn("u-2", "b2", "在吗", unionX))
	if again.Conversation.CustomerID != b.CustomerID {
		t.Errorf("after an unmerge the same proof merged again: customer %d, want %d", again.Conversation.CustomerID, b.CustomerID)
	}
	if audit, _ := s.Audit(ctx, appliance.AuditFilter{Action: "customer.unmerge"}); len(audit) != 1 || audit[0].ActorName != "supervisor" {
		t.Errorf("unmerge audit: got %+v", audit)
	}
}

func TestMergeRequiresBothSidesVerified(t *testing.T) {
	e, s, _ := newEngine(t)
	ctx := context.Background()
	first := mustReceive(t, e, appIn("u-1", "m1", "在吗"))
	// The phone was typed by the customer, never verified.
	if _, err := s.AttachIdentity(ctx, first.Conversation.CustomerID, appliance.Identity{Kind: appliance.IdentityPhone, Value: "13800138000"}); err != nil {
		t.Fatal(err)
	}
	other := mustReceive(t, e, appIn("u-2", "m1", "在吗", appliance.Identity{Kind: appliance.IdentityPhone, Value: "13800138000", Verified: true}))
	if other.Conversation.CustomerID == first.Conversation.CustomerID {
		t.Fatal("a verified phone merged into a record that only claimed it")
	}
	if list, _ := s.CustomerMerges(ctx, first.Conversation.CustomerID); len(list) != 0 {
		t.Errorf("merges: got %d, want none", len(list))
	}
}

func TestMergeKeepsOneDialogueState(t *testing.T) {
	e, s, _ := newEngine(t)
	ctx := context.Background()
	wx := mustReceive(t, e, wechatIn("openid-9", "w1", "在吗", "union-9"))
	app := mustReceive(t, e, appIn("u-9", "a1", "在吗"))
	now := time.Now()
	boots := nlu.Entity{Type: "product", Text: "儿童雨靴", Value: "儿童雨靴"}
	if err := s.SaveDialogueState(ctx, wx.Conversation.CustomerID, &nlu.State{ActiveIntent: "product_search",
		Focus: map[string]nlu.Entity{"product": boots}, UpdatedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	order := nlu.Entity{Type: "order_no", Text: "2026112300123", Value: "2026112300123"}
	if err := s.SaveDialogueState(ctx, app.Conversation.CustomerID, &nlu.State{Focus: map[string]nlu.Entity{"order": order},
		UpdatedAt: now.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The merge happens as the next message arrives; its turn starts from
	// the joined state (this FAQ question keeps no focus of its own).
	out := mustReceive(t, e, appIn("u-9", "a2", "运费怎么算", appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-9", Verified: true}))
	st, _ := s.DialogueState(ctx, out.Conversation.CustomerID)
	if st.Focus["product"].Value != "儿童雨靴" || st.Focus["order"].Value != "2026112300123" {
		t.Errorf("merged state focus: got %+v, want both customers' focus", st.Focus)
	}
}
