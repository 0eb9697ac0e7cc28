package store_test

import (
	"context"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
)

var _ appliance.IdentityStore = (*store.Store)(nil)

// customerWithHistory creates a customer with an identity and a
// conversation holding one message.
func customerWithHistory(t *testing.T, s *store.Store, id appliance.Identity, text string) (*appliance.Customer, *appliance.Conversation) {
	t.Helper()
	ctx := context.Background()
	c, ident, err := s.ResolveIdentity(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	conv := &appliance.Conversation{CustomerID: c.ID, Channel: "web", LastChannel: "web", LastIdentityID: ident.ID, Status: appliance.StatusBot}
	if err := s.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	m := &appliance.Message{ConversationID: conv.ID, CustomerID: c.ID, Channel: "web", Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: text}
	if err := s.CreateMessage(ctx, m, ""); err != nil {
		t.Fatal(err)
	}
	return c, conv
}

func TestMergeAndUndo(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, convA := customerWithHistory(t, s, appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wxA", Value: "o-1"}, "有没有儿童雨靴")
		b, convB := customerWithHistory(t, s, appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u-1", Verified: true}, "那雨靴有35码吗?")
		if _, err := s.AttachIdentity(ctx, a.ID, appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-1", Verified: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachIdentity(ctx, b.ID, appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-1"}); appliance.ErrorCode(err) != "identity_taken" {
			t.Fatalf("attaching a taken identity: got %v, want identity_taken", err)
		}

		m := &appliance.CustomerMerge{WinnerID: a.ID, LoserID: b.ID, Reason: "wechat_unionid", ActorType: "system",
			Proof: appliance.Identity{Kind: appliance.IdentityWeChatUnionID, Value: "union-1"}, Channel: "app",
			Profile: appliance.ProfileChange{TagsAdded: []string{"vip"}}, CreatedAt: time.Now()}
		if err := s.MergeCustomers(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.ID == 0 {
			t.Fatal("merge not recorded")
		}
		var proof string
		s.DB().Table("customer_merges").Select("proof_value").Where("id = ?", m.ID).Scan(&proof)
		if proof == "union-1" {
			t.Error("the merge's proof is stored in clear")
		}
		if back, err := s.CustomerMerge(ctx, m.ID); err != nil || back.Proof.Value != "union-1" {
			t.Errorf("merge read back: %+v, %v", back, err)
		}
		// The loser resolves to the winner, with every identity and one history.
		got, err := s.Customer(ctx, b.ID)
		if err != nil || got.ID != a.ID || len(got.Identities) != 3 {
			t.Fatalf("merged customer: got %+v, %v; want customer %d with 3 identities", got, err, a.ID)
		}
		// Loaded in a batch (a list of conversations): the same answers,
		// a missing id left out.
		batch, err := s.Customers(ctx, []int64{a.ID, b.ID, 999999})
		if err != nil || len(batch) != 2 || batch[a.ID].ID != a.ID || batch[b.ID].ID != a.ID || len(batch[a.ID].Identities) != 3 ||
			len(batch[b.ID].Identities) != 3 {
			t.Fatalf("customers in a batch: got %v, %v; want both ids resolving to %d with 3 identities", batch, err, a.ID)
		}
		if to, err := s.SurvivingCustomer(ctx, b.ID); err != nil || to != a.ID {
			t.Errorf("surviving record of the loser: got %d, %v; want %d", to, err, a.ID)
		}
		msgs, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: a.ID})
		if len(msgs) != 2 || msgs[0].Text != "有没有儿童雨靴" || msgs[1].Text != "那雨靴有35码吗?" {
			t.Fatalf("history after merge: got %d messages, want both customers' in order", len(msgs))
		}
		if c, _ := s.Conversation(ctx, convB.ID); c.CustomerID != a.ID {
			t.Errorf("conversation of the loser: customer %d, want %d", c.CustomerID, a.ID)
		}
		if err := s.MergeCustomers(ctx, &appliance.CustomerMerge{WinnerID: a.ID, LoserID: b.ID, ActorType: "system"}); appliance.ErrorCode(err) != "already_merged" {
			t.Errorf("merging a merged customer again: got %v, want already_merged", err)
		}
		if undone, _ := s.MergeUndoneBetween(ctx, a.ID, b.ID); undone {
			t.Error("a live merge counted as undone")
		}
		list, _ := s.CustomerMerges(ctx, b.ID)
		if len(list) != 1 || list[0].Reason != "wechat_unionid" || list[0].Proof.Value != "union-1" || list[0].Profile.TagsAdded[0] != "vip" {
			t.Fatalf("merge history: got %+v", list)
		}

		// A message written while merged, in the loser's old conversation.
		late := &appliance.Message{ConversationID: convB.ID, CustomerID: a.ID, Channel: "app", Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: "还在吗"}
		if err := s.CreateMessage(ctx, late, ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		m.UndoneAt, m.UndoneByID, m.UndoneByName, m.UndoReason = &now, 7, "supervisor", "不是同一人"
		if err := s.UndoMerge(ctx, m); err != nil {
			t.Fatal(err)
		}
		if to, _ := s.SurvivingCustomer(ctx, b.ID); to != b.ID {
			t.Errorf("surviving record after undo: got %d, want %d", to, b.ID)
		}
		back, _ := s.Customer(ctx, b.ID)
		if back.ID != b.ID || len(back.Identities) != 1 || back.Identities[0].Value != "u-1" {
			t.Fatalf("after undo: got %+v, want customer %d with its own identity", back, b.ID)
		}
		msgsB, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: b.ID})
		if len(msgsB) != 2 || msgsB[1].Text != "还在吗" {
			t.Errorf("loser's history after undo: got %d messages, want its conversation with the message written meanwhile", len(msgsB))
		}
		msgsA, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: a.ID})
		if len(msgsA) != 1 || msgsA[0].ConversationID != convA.ID {
			t.Errorf("winner's history after undo: got %d messages, want its own", len(msgsA))
		}
		if undone, _ := s.MergeUndoneBetween(ctx, b.ID, a.ID); !undone {
			t.Error("undone merge not found")
		}
		rec, _ := s.CustomerMerge(ctx, m.ID)
		if rec.UndoneAt == nil || rec.UndoneByName != "supervisor" || rec.UndoReason != "不是同一人" {
			t.Errorf("undo record: got %+v", rec)
		}
		if err := s.UndoMerge(ctx, m); appliance.ErrorKind(err) != appliance.ECONFLICT {
			t.Errorf("undoing twice: got %v, want a conflict", err)
		}
	})
}
