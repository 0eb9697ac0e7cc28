package retention_test

import (
	"context"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/retention"
	"kefu/appliance/store/storetest"
	"kefu/nlu"
)

func TestRetentionDeletesOrAnonymizesOldClosedConversations(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, mode := range []string{retention.Delete, retention.Anonymize} {
			t.Run(d+"/"+mode, func(t *testing.T) {
				t.Parallel()
				s := storetest.Open(t, d)
				ctx := context.Background()
				now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
				mk := func(status appliance.ConversationStatus, last time.Time) int64 {
					c := &appliance.Conversation{CustomerID: 1, Channel: "web", LastChannel: "web", Status: status, LastMessageAt: last, CreatedAt: last, UpdatedAt: last}
					if err := s.CreateConversation(ctx, c); err != nil {
						t.Fatal(err)
					}
					for i := range 3 {
						if err := s.CreateMessage(ctx, &appliance.Message{ConversationID: c.ID, CustomerID: 1, Channel: "web", Sender: appliance.SenderCustomer,
							Kind: appliance.KindText, Text: "我的手机 13812345678", CreatedAt: last.Add(time.Duration(i) * time.Second)}, ""); err != nil {
							t.Fatal(err)
						}
					}
					return c.ID
				}
				old1 := mk(appliance.StatusClosed, now.AddDate(0, 0, -400))
				old2 := mk(appliance.StatusClosed, now.AddDate(0, 0, -366))
				openOld := mk(appliance.StatusQueued, now.AddDate(0, 0, -500)) // still open: kept
				recent := mk(appliance.StatusClosed, now.AddDate(0, 0, -10))
				// Anonymized before (an earlier run in anonymize mode, or an
				// erasure): skipped when anonymizing, deleted when deleting.
				blank := mk(appliance.StatusClosed, now.AddDate(0, 0, -380))
				if _, err := s.AnonymizeConversations(ctx, []int64{blank}); err != nil {
					t.Fatal(err)
				}
				wantConvs, wantMsgs := int64(2), int64(6)
				if mode == retention.Delete {
					wantConvs, wantMsgs = 3, 9
				}
				counts := map[string]int64{}
				res, err := retention.Run(ctx, s, retention.Policy{Days: 365, Mode: mode}, now, func(k string, n int64) { counts[k] += n })
				if err != nil {
					t.Fatal(err)
				}
				if res.Conversations != wantConvs || res.Messages != wantMsgs || counts["conversations"] != wantConvs || counts["messages"] != wantMsgs {
					t.Errorf("got %+v (counted %v), want %d conversations and %d messages", res, counts, wantConvs, wantMsgs)
				}
				if _, err := s.Conversation(ctx, blank); appliance.IsNotFound(err) != (mode == retention.Delete) {
					t.Errorf("the conversation anonymized before: %v", err)
				}
				for _, id := range []int64{old1, old2} {
					_, err := s.Conversation(ctx, id)
					msgs, _ := s.Messages(ctx, appliance.MessageFilter{ConversationID: id})
					switch mode {
					case retention.Delete:
						if !appliance.IsNotFound(err) || len(msgs) != 0 {
							t.Errorf("conversation %d: got %v and %d messages, want it deleted", id, err, len(msgs))
						}
					case retention.Anonymize:
						if err != nil || len(msgs) != 3 || msgs[0].Text != "[已匿名 anonymized]" {
							t.Errorf("conversation %d: got %v, %d messages, want 3 anonymized messages", id, err, len(msgs))
						}
					}
				}
				for _, id := range []int64{openOld, recent} {
					msgs, _ := s.Messages(ctx, appliance.MessageFilter{ConversationID: id})
					if len(msgs) != 3 || msgs[0].Text != "我的手机 13812345678" {
						t.Errorf("conversation %d: got %d messages, want it kept as it was", id, len(msgs))
					}
				}
				audit, _ := s.Audit(ctx, appliance.AuditFilter{Action: "retention." + mode})
				if len(audit) != 1 || audit[0].Detail["conversations"] != float64(wantConvs) || audit[0].Detail["messages"] != float64(wantMsgs) {
					t.Errorf("audit: got %+v, want one entry with the counts", audit)
				}
				// A second run finds nothing more.
				if res, _ := retention.Run(ctx, s, retention.Policy{Days: 365, Mode: mode}, now, nil); res.Conversations != 0 {
					t.Errorf("second run: got %d conversations, want 0", res.Conversations)
				}
			})
		}
	}
}

// The job deletes dialogue states past the dialogue's memory even when
// conversations are kept for ever (retention.days 0), and audits it.
func TestRetentionDeletesIdleDialogueStates(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, d)
			ctx := context.Background()
			if err := s.SaveDialogueState(ctx, 7, &nlu.State{ActiveIntent: "withdraw", Slots: map[string]string{"id_card": "11010519491231002X"}}); err != nil {
				t.Fatal(err)
			}
			policy := retention.Policy{StateTTL: 24 * time.Hour}
			if res, err := retention.Run(ctx, s, policy, time.Now(), nil); err != nil || res.States != 0 {
				t.Fatalf("a state saved just now: deleted %d, %v; want it kept", res.States, err)
			}
			counts := map[string]int64{}
			res, err := retention.Run(ctx, s, policy, time.Now().Add(25*time.Hour), func(k string, n int64) { counts[k] += n })
			if err != nil || res.States != 1 || counts["dialogue_states"] != 1 {
				t.Fatalf("a day later: %+v, %v (counted %v); want 1 state deleted", res, err, counts)
			}
			if st, _ := s.DialogueState(ctx, 7); st.ActiveIntent != "" || len(st.Slots) != 0 {
				t.Errorf("state left after the sweep: %+v", st)
			}
			entries, err := s.Audit(ctx, appliance.AuditFilter{Action: "retention.dialogue_states"})
			if err != nil || len(entries) != 1 || entries[0].Detail["deleted"] != float64(1) {
				t.Errorf("audit: %+v, %v; want one entry with deleted 1", entries, err)
			}
		})
	}
}
