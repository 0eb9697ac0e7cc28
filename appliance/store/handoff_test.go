package store_test

import (
	"context"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
)

func seedConversation(t *testing.T, s *store.Store, visitor string, status appliance.ConversationStatus, assignee int64, prio int, handoff time.Time) *appliance.Conversation {
	t.Helper()
	ctx := context.Background()
	cust, ident, err := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: visitor}, "")
	if err != nil {
		t.Fatal(err)
	}
	h := handoff
	c := &appliance.Conversation{CustomerID: cust.ID, Channel: "web", LastChannel: "web", LastIdentityID: ident.ID,
		Status: status, AssigneeID: assignee, Priority: prio, HandoffAt: &h, LastMessageAt: handoff}
	if err := s.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoutingQueries(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
		old := seedConversation(t, s, "q-old", appliance.StatusQueued, 0, 0, t0)
		vip := seedConversation(t, s, "q-vip", appliance.StatusQueued, 0, 10, t0.Add(30*time.Minute))
		newer := seedConversation(t, s, "q-new", appliance.StatusQueued, 7, 0, t0.Add(10*time.Minute))
		seedConversation(t, s, "a-1", appliance.StatusAssigned, 7, 0, t0)
		seedConversation(t, s, "a-2", appliance.StatusAssigned, 8, 0, t0)
		seedConversation(t, s, "closed", appliance.StatusClosed, 8, 0, t0)

		q, err := s.QueuedConversations(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, c := range q {
			got = append(got, c.ID)
		}
		want := []int64{vip.ID, old.ID, newer.ID}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("queue order: got %v, want %v (priority first, then the oldest hand-off)", got, want)
		}
		loads, err := s.AgentLoads(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if loads[7] != 2 || loads[8] != 1 || len(loads) != 2 {
			t.Errorf("loads: got %v, want agent 7: 2 (one assigned, one offered), agent 8: 1 (closed ones do not count)", loads)
		}
	})
}

func TestCustomerWaits(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
		add := func(c *appliance.Conversation, sender appliance.Sender, kind appliance.MessageKind, at time.Time) *appliance.Message {
			m := &appliance.Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: "web", Sender: sender, Kind: kind,
				Text: "x", Handled: true, CreatedAt: at}
			if err := s.CreateMessage(ctx, m, ""); err != nil {
				t.Fatal(err)
			}
			return m
		}
		fresh := seedConversation(t, s, "w-fresh", appliance.StatusQueued, 0, 0, t0)
		add(fresh, appliance.SenderCustomer, appliance.KindText, t0.Add(time.Second))

		answered := seedConversation(t, s, "w-answered", appliance.StatusAssigned, 1, 0, t0)
		add(answered, appliance.SenderCustomer, appliance.KindText, t0.Add(time.Second))
		add(answered, appliance.SenderAgent, appliance.KindText, t0.Add(2*time.Second))
		add(answered, appliance.SenderAgent, appliance.KindNote, t0.Add(3*time.Second))

		waiting := seedConversation(t, s, "w-waiting", appliance.StatusAssigned, 1, 0, t0)
		add(waiting, appliance.SenderAgent, appliance.KindText, t0.Add(time.Second))
		first := add(waiting, appliance.SenderCustomer, appliance.KindText, t0.Add(5*time.Second))
		add(waiting, appliance.SenderCustomer, appliance.KindText, t0.Add(9*time.Second))
		// A note after the customer's question does not answer it.
		add(waiting, appliance.SenderAgent, appliance.KindNote, t0.Add(10*time.Second))

		w, err := s.CustomerWaits(ctx, []int64{fresh.ID, answered.ID, waiting.ID})
		if err != nil {
			t.Fatal(err)
		}
		if f := w[fresh.ID]; f.AgentReplied {
			t.Errorf("fresh: got %+v, want no agent reply yet", f)
		}
		if a := w[answered.ID]; !a.AgentReplied || !a.Since.IsZero() {
			t.Errorf("answered: got %+v, want replied and nothing unanswered", a)
		}
		if x := w[waiting.ID]; !x.AgentReplied || !x.Since.Equal(first.CreatedAt.UTC()) {
			t.Errorf("waiting: got %+v, want replied and waiting since the first unanswered message %v", x, first.CreatedAt)
		}
	})
}

func TestHandoffFlagsCSATAndCanned(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if f, err := s.HandoffFlags(ctx, 42); err != nil || f != (appliance.HandoffFlags{}) {
			t.Fatalf("missing flags: got %+v, %v; want zero", f, err)
		}
		for _, f := range []appliance.HandoffFlags{{UnsureTurns: 1}, {UnsureTurns: 0, Awaiting: appliance.AwaitingMessage}} {
			if err := s.SaveHandoffFlags(ctx, 42, f); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.HandoffFlags(ctx, 42); got != f {
				t.Errorf("flags: got %+v, want %+v", got, f)
			}
		}

		r := &appliance.CSAT{ConversationID: 5, CustomerID: 9, AgentID: 3, Channel: "web", Score: 4, Comment: "很快"}
		if err := s.RecordCSAT(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: 5, CustomerID: 9, Score: 1}); appliance.ErrorCode(err) != "already_rated" {
			t.Errorf("second score: got %v, want already_rated", err)
		}
		s.RecordCSAT(ctx, &appliance.CSAT{ConversationID: 6, CustomerID: 9, Score: 2, CreatedAt: time.Now().Add(time.Minute)})
		list, err := s.CustomerCSAT(ctx, 9, 10)
		if err != nil || len(list) != 2 || list[0].ConversationID != 6 || list[1].Comment != "很快" {
			t.Errorf("customer scores: got %+v, %v; want both, newest first", list, err)
		}
		if _, err := s.CSAT(ctx, 77); !appliance.IsNotFound(err) {
			t.Errorf("missing score: got %v, want ENOTFOUND", err)
		}

		c := &appliance.CannedReply{Shortcut: "运费", Title: "运费说明", Text: "满 99 元包邮。"}
		if err := s.CreateCannedReply(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateCannedReply(ctx, &appliance.CannedReply{Shortcut: "运费", Text: "x"}); appliance.ErrorCode(err) != "shortcut_taken" {
			t.Errorf("duplicate shortcut: got %v, want shortcut_taken", err)
		}
		c.Text, c.Group = "满 99 元全国包邮。", "售后"
		if err := s.UpdateCannedReply(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.CannedReply(ctx, c.ID)
		if err != nil || got.Text != "满 99 元全国包邮。" || got.Group != "售后" {
			t.Errorf("updated reply: got %+v, %v", got, err)
		}
		if err := s.DeleteCannedReply(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCannedReply(ctx, c.ID); !appliance.IsNotFound(err) {
			t.Errorf("second delete: got %v, want ENOTFOUND", err)
		}
	})
}
