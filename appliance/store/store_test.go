package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/nlu"
)

func forEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.Open(t, d))
		})
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ran, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(ran) != 0 {
			t.Errorf("second migrate ran %v, want nothing", ran)
		}
		pending, err := s.Pending(context.Background())
		if err != nil || len(pending) != 0 {
			t.Errorf("pending = %v, %v; want none", pending, err)
		}
	})
}

func TestResolveIdentityConcurrently(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id := appliance.Identity{Kind: appliance.IdentityAppUser, Value: "demo-1001", Verified: true}
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, _, err := s.ResolveIdentity(ctx, id, "张三")
				errs[i] = err
				if err == nil {
					ids[i] = c.ID
				}
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil {
				t.Fatalf("resolve %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("got customers %v, want one customer", ids)
			}
		}
		c, err := s.Customer(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Identities) != 1 || c.Identities[0].Value != "demo-1001" || !c.Identities[0].Verified {
			t.Errorf("got identities %+v, want the one app user", c.Identities)
		}
		// Same value in another namespace is another identity.
		c2, _, err := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWeChatOpenID, Namespace: "wx1", Value: "demo-1001"}, "")
		if err != nil || c2.ID == c.ID {
			t.Errorf("got customer %v err %v, want a new customer", c2, err)
		}
		if _, err := s.Customer(ctx, 999999); !appliance.IsNotFound(err) {
			t.Errorf("missing customer: got %v, want ENOTFOUND", err)
		}
	})
}

func TestConversationsAndMessages(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cust, ident, err := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "v1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.OpenConversation(ctx, cust.ID); !appliance.IsNotFound(err) {
			t.Fatalf("open conversation of a new customer: got %v, want ENOTFOUND", err)
		}
		now := time.Date(2026, 11, 24, 8, 30, 0, 123e6, time.FixedZone("CST", 8*3600))
		conv := &appliance.Conversation{CustomerID: cust.ID, Channel: "web", LastChannel: "web", LastIdentityID: ident.ID,
			Status: appliance.StatusBot, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenConversation(ctx, cust.ID)
		if err != nil || open.ID != conv.ID {
			t.Fatalf("open conversation: got %v, %v; want %d", open, err, conv.ID)
		}
		if !open.CreatedAt.Equal(now) || open.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at: got %v, want %v in UTC", open.CreatedAt, now)
		}

		// Saving a conversation unchanged (two writers setting the same
		// state) is not a missing row: MySQL counts matched rows, not
		// changed ones.
		for i := 0; i < 200; i++ {
			if err := s.UpdateConversation(ctx, conv); err != nil {
				t.Fatalf("update %d without a change: %v", i+1, err)
			}
		}

		text := "我的订单 E202611230001 到哪了？🙂 <script>alert(1)</script>"
		in := &appliance.Message{ConversationID: conv.ID, CustomerID: cust.ID, Channel: "web", Sender: appliance.SenderCustomer,
			Kind: appliance.KindText, Text: text, ChannelMsgID: "m-1", CreatedAt: now}
		key := appliance.DedupeKey("web", appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "v1"}, "m-1")
		if err := s.CreateMessage(ctx, in, key); err != nil {
			t.Fatal(err)
		}
		if in.Handled {
			t.Errorf("a new inbound message must start unhandled")
		}
		dup := *in
		if err := s.CreateMessage(ctx, &dup, key); !appliance.IsConflict(err) {
			t.Fatalf("duplicate inbound: got %v, want ECONFLICT", err)
		}
		got, err := s.MessageByDedupeKey(ctx, key)
		if err != nil || got.ID != in.ID || got.Text != text {
			t.Fatalf("by dedupe key: got %+v, %v; want message %d with the emoji text intact", got, err, in.ID)
		}
		un, err := s.Unhandled(ctx, 10)
		if err != nil || len(un) != 1 || un[0].ID != in.ID {
			t.Fatalf("unhandled: got %v, %v; want the inbound message", un, err)
		}
		reply := &appliance.Message{ConversationID: conv.ID, CustomerID: cust.ID, Channel: "web", Sender: appliance.SenderBot,
			Kind: appliance.KindText, Text: "您的订单已发货", ReplyTo: in.ID, Delivery: appliance.DeliveryPending}
		if err := s.CreateMessage(ctx, reply, ""); err != nil {
			t.Fatal(err)
		}
		note := &appliance.Message{ConversationID: conv.ID, CustomerID: cust.ID, Sender: appliance.SenderAgent,
			Kind: appliance.KindNote, Text: "客户很着急"}
		if err := s.CreateMessage(ctx, note, ""); err != nil {
			t.Fatal(err)
		}
		dec := &appliance.Decision{Policy: appliance.PolicyAnswer, NLU: &nlu.Result{Intent: "order_status", Confidence: 0.93,
			Trace: nlu.Trace{Engine: "local", Latency: 42 * time.Microsecond}}}
		if err := s.MarkHandled(ctx, in.ID, dec); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Message(ctx, in.ID)
		if !got.Handled || got.Decision == nil || got.Decision.NLU.Intent != "order_status" || got.Decision.NLU.Trace.Latency != 42*time.Microsecond {
			t.Errorf("decision round trip: got %+v", got.Decision)
		}
		if un, _ := s.Unhandled(ctx, 10); len(un) != 0 {
			t.Errorf("unhandled after marking: got %d, want 0", len(un))
		}
		replies, err := s.Replies(ctx, in.ID)
		if err != nil || len(replies) != 1 || replies[0].ID != reply.ID {
			t.Fatalf("replies: got %v, %v", replies, err)
		}
		pend, _ := s.PendingDeliveries(ctx, 10)
		if len(pend) != 1 || pend[0].ID != reply.ID {
			t.Fatalf("pending deliveries: got %v, want the reply", pend)
		}
		s.SetDelivery(ctx, reply.ID, appliance.DeliverySent)
		if pend, _ := s.PendingDeliveries(ctx, 10); len(pend) != 0 {
			t.Errorf("pending after sent: got %d, want 0", len(pend))
		}
		all, _ := s.Messages(ctx, appliance.MessageFilter{ConversationID: conv.ID})
		visible, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: cust.ID, CustomerOnly: true})
		after, _ := s.Messages(ctx, appliance.MessageFilter{CustomerID: cust.ID, AfterID: in.ID, CustomerOnly: true})
		if len(all) != 3 || len(visible) != 2 || len(after) != 1 || after[0].ID != reply.ID {
			t.Errorf("got all=%d visible=%d after=%d, want 3, 2, 1", len(all), len(visible), len(after))
		}

		conv.Status, conv.AssigneeID = appliance.StatusAssigned, 7
		ho := now.Add(time.Minute)
		conv.HandoffAt = &ho
		if err := s.WithTx(ctx, func(ctx context.Context) error {
			c, err := s.LockConversation(ctx, conv.ID)
			if err != nil {
				return err
			}
			c.Status, c.AssigneeID, c.HandoffAt = conv.Status, conv.AssigneeID, conv.HandoffAt
			return s.UpdateConversation(ctx, c)
		}); err != nil {
			t.Fatal(err)
		}
		list, _ := s.ListConversations(ctx, appliance.ConversationFilter{Statuses: []appliance.ConversationStatus{appliance.StatusAssigned}, AssigneeID: 7})
		if len(list) != 1 || list[0].HandoffAt == nil || !list[0].HandoffAt.Equal(ho) {
			t.Errorf("list assigned: got %+v", list)
		}
		if list, _ := s.ListConversations(ctx, appliance.ConversationFilter{Statuses: []appliance.ConversationStatus{appliance.StatusQueued}}); len(list) != 0 {
			t.Errorf("list queued: got %d, want 0", len(list))
		}
	})
}

func TestTransactionRollsBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		cust, _, _ := s.ResolveIdentity(ctx, appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: "tx"}, "")
		err := s.WithTx(ctx, func(ctx context.Context) error {
			c := &appliance.Conversation{CustomerID: cust.ID, Channel: "web", LastChannel: "web", Status: appliance.StatusBot}
			if err := s.CreateConversation(ctx, c); err != nil {
				return err
			}
			return appliance.Errorf(appliance.EINVALID, "boom", "boom")
		})
		if appliance.ErrorCode(err) != "boom" {
			t.Fatalf("got %v, want the callback's error", err)
		}
		if _, err := s.OpenConversation(ctx, cust.ID); !appliance.IsNotFound(err) {
			t.Errorf("conversation survived the rollback: %v", err)
		}
	})
}

func TestDialogueState(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		st, err := s.DialogueState(ctx, 42)
		if err != nil || st.ActiveIntent != "" {
			t.Fatalf("empty state: got %+v, %v", st, err)
		}
		st.ActiveIntent = "order_status"
		st.Focus = map[string]nlu.Entity{"order": {Type: "order_no", Text: "E202611230001", Value: "E202611230001"}}
		if err := s.SaveDialogueState(ctx, 42, st); err != nil {
			t.Fatal(err)
		}
		st.Slots = map[string]string{"size": "35"}
		if err := s.SaveDialogueState(ctx, 42, st); err != nil {
			t.Fatal(err)
		}
		got, err := s.DialogueState(ctx, 42)
		if err != nil {
			t.Fatal(err)
		}
		if got.ActiveIntent != "order_status" || got.Focus["order"].Value != "E202611230001" || got.Slots["size"] != "35" {
			t.Errorf("got %+v, want the saved state", got)
		}
	})
}

func TestUsersSessionsAudit(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := &appliance.User{Username: "agent1", DisplayName: "小王", Role: appliance.RoleAgent, PasswordHash: "x", MaxConcurrent: 5, Skills: []string{"售后"}}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, &appliance.User{Username: "agent1", Role: appliance.RoleAgent}); appliance.ErrorCode(err) != "username_taken" {
			t.Errorf("duplicate username: got %v, want username_taken", err)
		}
		got, err := s.UserByUsername(ctx, "agent1")
		if err != nil || got.ID != u.ID || got.Skills[0] != "售后" || got.Status != appliance.AgentOffline {
			t.Fatalf("got %+v, %v", got, err)
		}
		sess := &appliance.Session{ID: "h1", UserID: u.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}
		old := &appliance.Session{ID: "h2", UserID: u.ID, CSRFToken: "c", ExpiresAt: time.Now().Add(-time.Hour)}
		s.CreateSession(ctx, sess)
		s.CreateSession(ctx, old)
		if _, err := s.Session(ctx, "h1"); err != nil {
			t.Errorf("live session: %v", err)
		}
		if _, err := s.Session(ctx, "h2"); !appliance.IsNotFound(err) {
			t.Errorf("expired session: got %v, want ENOTFOUND", err)
		}
		if n, _ := s.DeleteExpiredSessions(ctx); n != 1 {
			t.Errorf("deleted %d expired sessions, want 1", n)
		}
		for i := 0; i < 3; i++ {
			s.RecordAudit(ctx, &appliance.AuditEntry{ActorType: "user", ActorID: u.ID, Action: "conversation.take",
				TargetType: "conversation", TargetID: "9", Detail: map[string]any{"i": i}})
		}
		list, err := s.Audit(ctx, appliance.AuditFilter{TargetType: "conversation", TargetID: "9", Limit: 2})
		if err != nil || len(list) != 2 || list[0].ID < list[1].ID || list[0].Detail["i"].(float64) != 2 {
			t.Errorf("audit: got %+v, %v; want the 2 newest first", list, err)
		}
	})
}

// TestSQLiteDurability: commits are synced to disk (synchronous=FULL) unless
// the deployment asks for the faster setting that survives only a process
// crash.
func TestSQLiteDurability(t *testing.T) {
	for _, tc := range []struct {
		setting string
		want    int
	}{{"", 2}, {"full", 2}, {"normal", 1}} {
		s, err := store.Open(context.Background(), store.Options{SQLitePath: filepath.Join(t.TempDir(), "kefu.db"), SQLiteSync: tc.setting})
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := s.DB().Raw("PRAGMA synchronous").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		var mode string
		s.DB().Raw("PRAGMA journal_mode").Scan(&mode)
		s.Close()
		if got != tc.want || mode != "wal" {
			t.Errorf("sqlite_sync %q: synchronous=%d journal_mode=%s, want %d and wal", tc.setting, got, mode, tc.want)
		}
	}
}

func TestDeleteIdleDialogueStates(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// 6,000 states idle for two days (more than one MySQL batch) and
		// three fresh ones.
		old := time.Now().Add(-48 * time.Hour).UTC()
		rows := make([]map[string]any, 6000)
		for i := range rows {
			rows[i] = map[string]any{"customer_id": int64(1000 + i), "state": `{"slots":{"id_card":"11010519491231002X"}}`, "updated_at": old}
		}
		if err := s.DB().Table("dialogue_states").CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		for id := range int64(3) {
			if err := s.SaveDialogueState(ctx, id+1, &nlu.State{ActiveIntent: "withdraw", Slots: map[string]string{"id_card": "11010519491231002X"}}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.DeleteDialogueStatesBefore(ctx, time.Now().Add(-24*time.Hour))
		if err != nil || n != 6000 {
			t.Fatalf("deleted %d, %v; want the 6000 idle states", n, err)
		}
		var left int64
		s.DB().Table("dialogue_states").Count(&left)
		if left != 3 {
			t.Errorf("%d states left, want the 3 fresh ones", left)
		}
		if st, _ := s.DialogueState(ctx, 1000); st.Slots["id_card"] != "" {
			t.Errorf("an idle state survived: %+v", st)
		}
		if st, _ := s.DialogueState(ctx, 1); st.ActiveIntent != "withdraw" {
			t.Errorf("a fresh state was deleted: %+v", st)
		}
	})
}
