package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
)

// newConversation opens a web conversation for the visitor.
func newConversation(t *testing.T, s *store.Store, visitor string, now time.Time) *appliance.Conversation {
	t.Helper()
	cust, ident, err := s.ResolveIdentity(context.Background(), appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: visitor}, "")
	if err != nil {
		t.Fatal(err)
	}
	conv := &appliance.Conversation{CustomerID: cust.ID, Channel: "web", LastChannel: "web", LastIdentityID: ident.ID,
		Status: appliance.StatusBot, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateConversation(context.Background(), conv); err != nil {
		t.Fatal(err)
	}
	return conv
}

// TestMessageChain: a conversation's messages verify as stored, through
// later metadata changes (delivery, handled, decision), and any edit,
// deletion or insertion made behind the appliance's back shows, with the
// message where it does.
func TestMessageChain(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 9, 0, 0, 123456789, time.UTC) // sub-millisecond: stored truncated
		conv := newConversation(t, s, "chain", now)
		var ids []int64
		for i, m := range []*appliance.Message{
			{Sender: appliance.SenderCustomer, Kind: appliance.KindText, Channel: "web", Text: "我要退货，订单 E202611240001 🙂"},
			{Sender: appliance.SenderBot, Kind: appliance.KindText, Channel: "web", Text: "好的，已为您登记退货。", Payload: []byte(`{"citations":[{"id":"faq-return"}]}`)},
			{Sender: appliance.SenderAgent, SenderID: 7, Kind: appliance.KindNote, Text: "客户第二次退货"},
			{Sender: appliance.SenderAgent, SenderID: 7, Kind: appliance.KindText, Channel: "web", Text: "您好，我是小王 \"quoted\" \\ </b>"},
		} {
			m.ConversationID, m.CustomerID, m.CreatedAt = conv.ID, conv.CustomerID, now.Add(time.Duration(i)*time.Second)
			if err := s.CreateMessage(ctx, m, ""); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		verify := func(when string) *appliance.ChainReport {
			t.Helper()
			rep, err := s.VerifyConversation(ctx, conv.ID)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			return rep
		}
		rep := verify("as stored")
		if !rep.Valid || rep.Messages != 4 || rep.Sealed != 4 || len(rep.Head) != 64 {
			t.Fatalf("as stored: %+v, want 4 sealed messages, valid, with a head", rep)
		}
		head := rep.Head
		// What the appliance changes later is not content.
		if err := s.SetDelivery(ctx, ids[1], appliance.DeliveryFailed); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkHandled(ctx, ids[0], &appliance.Decision{Policy: appliance.PolicyAnswer}); err != nil {
			t.Fatal(err)
		}
		if rep := verify("after delivery and decision updates"); !rep.Valid || rep.Head != head {
			t.Fatalf("after metadata updates: %+v, want still valid with head %s", rep, head)
		}

		db := s.DB()
		// An edited text.
		db.Exec("UPDATE messages SET text = ? WHERE id = ?", "好的，已为您退款。", ids[1])
		if rep := verify("edited"); rep.Valid || rep.Problem != "edited" || rep.BrokenAt != ids[1] {
			t.Errorf("edited text: %+v, want edited at %d", rep, ids[1])
		}
		db.Exec("UPDATE messages SET text = ? WHERE id = ?", "好的，已为您登记退货。", ids[1])
		if rep := verify("restored"); !rep.Valid {
			t.Fatalf("restored text: %+v, want valid again", rep)
		}
		// A changed sender, time or payload is an edit too.
		for _, q := range []string{
			"UPDATE messages SET sender = 'bot' WHERE id = ?",
			"UPDATE messages SET created_at = '2026-11-24 09:00:03.001' WHERE id = ?",
		} {
			var before struct {
				Sender    string
				CreatedAt time.Time
			}
			db.Raw("SELECT sender, created_at FROM messages WHERE id = ?", ids[3]).Scan(&before)
			db.Exec(q, ids[3])
			if rep := verify(q); rep.Valid || rep.Problem != "edited" || rep.BrokenAt != ids[3] {
				t.Errorf("%s: %+v, want edited at %d", q, rep, ids[3])
			}
			db.Exec("UPDATE messages SET sender = ?, created_at = ? WHERE id = ?", before.Sender, before.CreatedAt, ids[3])
		}
		if rep := verify("restored again"); !rep.Valid {
			t.Fatalf("restored: %+v", rep)
		}
		// A deleted message in the middle, and the last one.
		db.Exec("DELETE FROM messages WHERE id = ?", ids[2])
		if rep := verify("deleted"); rep.Valid || rep.Problem != "missing" || rep.BrokenAt != ids[3] {
			t.Errorf("deleted note: %+v, want missing at %d", rep, ids[3])
		}
		db.Exec("DELETE FROM messages WHERE id = ?", ids[3])
		if rep := verify("deleted tail"); rep.Valid || rep.Problem != "missing" {
			t.Errorf("deleted tail: %+v, want missing", rep)
		}

		// A conversation's chain goes on where it was; another conversation
		// starts its own.
		other := newConversation(t, s, "chain", now)
		m := &appliance.Message{ConversationID: other.ID, CustomerID: conv.CustomerID, Sender: appliance.SenderCustomer, Kind: appliance.KindText, Text: "在吗"}
		if err := s.CreateMessage(ctx, m, ""); err != nil {
			t.Fatal(err)
		}
		if rep, err := s.VerifyConversation(ctx, other.ID); err != nil || !rep.Valid || rep.Sealed != 1 {
			t.Errorf("second conversation: %+v %v", rep, err)
		}
		// Anonymized on purpose: reported as such.
		if _, err := s.AnonymizeConversations(ctx, []int64{other.ID}); err != nil {
			t.Fatal(err)
		}
		if rep, _ := s.VerifyConversation(ctx, other.ID); rep.Valid || !rep.Anonymized {
			t.Errorf("anonymized: %+v, want broken and marked anonymized", rep)
		}
		if _, err := s.VerifyConversation(ctx, 987654); !appliance.IsNotFound(err) {
			t.Errorf("unknown conversation: %v, want not found", err)
		}
	})
}

// TestMessageChainConcurrent: writers that do not share the engine's lock
// (two nodes) still make one unbroken chain: the head is read with a lock.
func TestMessageChainConcurrent(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		conv := newConversation(t, s, "chain-race", time.Now())
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					m := &appliance.Message{ConversationID: conv.ID, CustomerID: conv.CustomerID, Sender: appliance.SenderCustomer,
						Kind: appliance.KindText, Channel: "web", Text: fmt.Sprintf("writer %d message %d", w, i)}
					if err := s.CreateMessage(ctx, m, ""); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent insert: %v", err)
		}
		rep, err := s.VerifyConversation(ctx, conv.ID)
		if err != nil || !rep.Valid || rep.Sealed != writers*each {
			t.Errorf("after concurrent writers: %+v %v, want %d sealed and valid", rep, err, writers*each)
		}
	})
}
