package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/nlu"
)

var (
	_ appliance.ErasureStore    = (*store.Store)(nil)
	_ appliance.ErasureRequests = (*store.Store)(nil)
)

// TestErasureRequests: a request is pending until decided, once; the list
// of pending requests and a customer's pending request say so.
func TestErasureRequests(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := &appliance.ErasureRequest{CustomerID: 42, Status: appliance.ErasurePending, Reason: "PIPL 删除申请 #7",
			RequestedBy: 1, RequestedName: "root", CreatedAt: time.Now()}
		if err := s.CreateErasureRequest(ctx, r); err != nil || r.ID == 0 {
			t.Fatalf("create: %+v, %v", r, err)
		}
		if got, err := s.PendingErasure(ctx, 42); err != nil || got.ID != r.ID || got.Reason != "PIPL 删除申请 #7" || got.RequestedName != "root" {
			t.Errorf("pending: %+v, %v", got, err)
		}
		if _, err := s.PendingErasure(ctx, 43); !appliance.IsNotFound(err) {
			t.Errorf("another customer's pending request: %v, want not found", err)
		}
		if list, err := s.PendingErasures(ctx, 10); err != nil || len(list) != 1 {
			t.Errorf("pending list: %+v, %v", list, err)
		}
		now := time.Now()
		r.Status, r.DecidedBy, r.DecidedName, r.DecisionNote, r.DecidedAt = appliance.ErasureApproved, 2, "chen", "核实无误", &now
		if err := s.DecideErasure(ctx, r); err != nil {
			t.Fatal(err)
		}
		again := *r
		again.Status = appliance.ErasureRejected
		if err := s.DecideErasure(ctx, &again); appliance.ErrorCode(err) != "erasure_decided" {
			t.Errorf("deciding twice: %v, want erasure_decided", err)
		}
		got, err := s.ErasureRequest(ctx, r.ID)
		if err != nil || got.Status != appliance.ErasureApproved || got.DecidedName != "chen" || got.DecidedAt == nil || got.DecisionNote != "核实无误" {
			t.Errorf("decided: %+v, %v", got, err)
		}
		if _, err := s.PendingErasure(ctx, 42); !appliance.IsNotFound(err) {
			t.Errorf("pending after the decision: %v, want not found", err)
		}
	})
}

// TestEraseCustomers: erasing a person's records (the survivor and the
// record merged into it) leaves nothing of what they said or who they are,
// and leaves the other customer alone.
func TestEraseCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, convA := customerWithHistory(t, s, appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wx1", Value: "o-erase"}, "我叫张三，手机13812345678")
		b, _ := customerWithHistory(t, s, appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u-erase", Verified: true}, "订单E2026112401")
		other, convO := customerWithHistory(t, s, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "v-keep"}, "运费怎么算")
		a.DisplayName, a.Attributes, a.Tags, a.VIPLevel = "张三", map[string]string{"phone": "13812345678"}, []string{"投诉过"}, 2
		if err := s.UpdateCustomer(ctx, a); err != nil {
			t.Fatal(err)
		}
		m := &appliance.CustomerMerge{WinnerID: a.ID, LoserID: b.ID, Reason: "app_user", ActorType: "system",
			Proof: appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u-erase"}, Profile: appliance.ProfileChange{DisplayName: "张三"}, CreatedAt: time.Now()}
		if err := s.MergeCustomers(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveDialogueState(ctx, a.ID, &nlu.State{Slots: map[string]string{"id_card": "11010519491231002X"}}); err != nil {
			t.Fatal(err)
		}
		tk := &appliance.Ticket{Type: "return", Status: "待审核", Title: "张三退货", Body: "手机13812345678", CustomerID: a.ID,
			Data: map[string]any{"order_no": "E2026112401"}}
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTicketEvent(ctx, &appliance.TicketEvent{TicketID: tk.ID, To: "待审核", Actor: "system", Note: "张三来电"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: convA.ID, CustomerID: a.ID, Channel: "web", Score: 2, Comment: "张三很不满意"}); err != nil {
			t.Fatal(err)
		}

		edit := &appliance.AuditEntry{ActorType: "user", ActorName: "a1", Action: "customer.update", TargetType: "customer",
			TargetID: fmt.Sprint(a.ID), Detail: map[string]any{"attributes": map[string]any{"after": map[string]any{"phone": "13812345678"}}}}
		if err := s.RecordAudit(ctx, edit); err != nil {
			t.Fatal(err)
		}
		otherEdit := &appliance.AuditEntry{ActorType: "user", ActorName: "a1", Action: "customer.update", TargetType: "customer",
			TargetID: fmt.Sprint(other.ID), Detail: map[string]any{"tags": "x"}}
		if err := s.RecordAudit(ctx, otherEdit); err != nil {
			t.Fatal(err)
		}

		records, err := s.MergedRecords(ctx, a.ID)
		if err != nil || !slices.Equal(records, []int64{b.ID}) {
			t.Fatalf("MergedRecords: %v, %v; want [%d]", records, err, b.ID)
		}
		at := time.Now().UTC().Truncate(time.Millisecond)
		er, err := s.EraseCustomers(ctx, []int64{a.ID, b.ID}, at)
		if err != nil {
			t.Fatal(err)
		}
		// b's conversation moved to a with the merge: two conversations, two messages.
		if er.Conversations != 2 || er.Messages != 2 || er.Identities != 2 || er.Tickets != 1 || er.AuditDetails != 1 {
			t.Errorf("erasure: %+v", er)
		}

		// Nothing of it is left, in any column, encrypted or not.
		for _, q := range []struct{ table, col, where string }{
			{"messages", "text", "customer_id IN (?)"}, {"customers", "display_name", "id IN (?)"}, {"customers", "attributes", "id IN (?)"},
			{"customers", "tags", "id IN (?)"}, {"tickets", "title", "customer_id IN (?)"}, {"tickets", "body", "customer_id IN (?)"},
			{"csat_ratings", "comment", "customer_id IN (?)"},
		} {
			var vals []string
			s.DB().Table(q.table).Where(q.where, []int64{a.ID, b.ID}).Pluck(q.col, &vals)
			for _, v := range vals {
				if v != "" && v != "{}" && v != "[]" && v != appliance.ErasedText {
					t.Errorf("%s.%s after erasure: %q", q.table, q.col, v)
				}
			}
		}
		var n int64
		s.DB().Table("identities").Where("customer_id IN ?", []int64{a.ID, b.ID}).Count(&n)
		if n != 0 {
			t.Errorf("%d identities left", n)
		}
		if st, _ := s.DialogueState(ctx, a.ID); len(st.Slots) != 0 {
			t.Errorf("dialogue state left: %+v", st)
		}
		if evs, _ := s.TicketEvents(ctx, tk.ID); len(evs) != 1 || evs[0].Note != "" {
			t.Errorf("ticket history after erasure: %+v", evs)
		}
		if back, _ := s.Ticket(ctx, tk.ID); back.Status != "待审核" || back.Type != "return" || len(back.Data) != 0 {
			t.Errorf("ticket after erasure: %+v (type and status stay)", back)
		}
		if mg, _ := s.CustomerMerge(ctx, m.ID); mg.Proof.Value != "" || mg.Profile.DisplayName != "" {
			t.Errorf("merge record after erasure: %+v", mg)
		}
		if c, _ := s.Customer(ctx, a.ID); c.ErasedAt == nil || !c.ErasedAt.Equal(at) || c.VIPLevel != 0 {
			t.Errorf("customer after erasure: %+v", c)
		}
		if c, _ := s.Conversation(ctx, convA.ID); c.Summary != "" {
			t.Errorf("conversation summary after erasure: %q", c.Summary)
		}
		if rep, _ := s.VerifyConversation(ctx, convA.ID); !rep.Anonymized {
			t.Errorf("chain report after erasure: %+v, want it marked anonymized", rep)
		}

		entries, _ := s.Audit(ctx, appliance.AuditFilter{Action: "customer.update"})
		for _, e := range entries {
			switch e.TargetID {
			case fmt.Sprint(a.ID):
				if e.ActorName != "a1" || e.Detail["erased"] != true || strings.Contains(fmt.Sprint(e.Detail), "1381234") {
					t.Errorf("audit entry of the erased customer: %+v", e)
				}
			case fmt.Sprint(other.ID):
				if e.Detail["tags"] != "x" {
					t.Errorf("another customer's audit entry: %+v", e)
				}
			}
		}

		// The other customer is untouched.
		if msgs, _ := s.Messages(ctx, appliance.MessageFilter{ConversationID: convO.ID}); len(msgs) != 1 || msgs[0].Text != "运费怎么算" {
			t.Errorf("another customer's messages: %+v", msgs)
		}
		if c, _ := s.Customer(ctx, other.ID); c.ErasedAt != nil || len(c.Identities) != 1 {
			t.Errorf("another customer: %+v", c)
		}
	})
}
