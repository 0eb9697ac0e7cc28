package qa_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/qa"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
)

type recorder struct {
	mu     sync.Mutex
	events []appliance.Event
	got    chan appliance.Event
}

func (r *recorder) Publish(e appliance.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	if e.Type == appliance.EventAlert {
		r.got <- e
	}
}

// An agent's rude reply through the real engine raises a supervisor alert
// and is stored; a polite one raises nothing.
func TestWatcherAlertsSupervisorsOnAgentSend(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	rec := &recorder{got: make(chan appliance.Event, 10)}
	w := qa.NewWatcher(qa.WatcherOptions{Store: st, Next: rec})
	w.Start()
	defer w.Stop()
	eng := appliance.NewEngine(appliance.EngineConfig{Store: st, Notifier: w})
	out, err := eng.Receive(ctx, appliance.Inbound{Channel: "app", MessageID: "m1",
		Identity: appliance.Identity{Kind: appliance.IdentityAppUser, Value: "u1"}, Text: "转人工"})
	if err != nil {
		t.Fatal(err)
	}
	agent := &appliance.User{ID: 3, Username: "agent1", Role: appliance.RoleAgent}
	if _, err := eng.AgentSend(ctx, out.Conversation.ID, agent, "您好，我是客服小王，请问有什么可以帮您？", false); err != nil {
		t.Fatal(err)
	}
	m, err := eng.AgentSend(ctx, out.Conversation.ID, agent, "这是公司规定，我也没办法", false)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-rec.got:
		if e.Alert.Kind != "qa_rule" || e.Alert.UserID != 0 || e.Alert.ConversationID != out.Conversation.ID ||
			!strings.Contains(e.Alert.Text, "推诿用语") {
			t.Errorf("got alert %+v, want a qa_rule alert for supervisors naming 推诿用语", e.Alert)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no alert within 5s")
	}
	w.Stop()
	alerts, err := st.QAAlerts(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].MessageID != m.ID || alerts[0].AgentID != 3 || alerts[0].RuleName != "推诿用语" {
		t.Errorf("stored alerts: got %+v, want one on message %d by agent 3", alerts, m.ID)
	}
	// Every event still reached the hub, alerts included.
	msgs := 0
	for _, e := range rec.events {
		if e.Type == appliance.EventMessage {
			msgs++
		}
	}
	if msgs < 4 {
		t.Errorf("the hub got %d message events, want every message passed on", msgs)
	}
}

// Publish never blocks the sender: a full queue skips the check.
func TestWatcherNeverBlocksPublish(t *testing.T) {
	w := qa.NewWatcher(qa.WatcherOptions{Queue: 1}) // not started: nothing drains the queue
	done := make(chan struct{})
	go func() {
		for i := range 100 {
			w.Publish(appliance.Event{Type: appliance.EventMessage, Message: &appliance.Message{ID: int64(i),
				Sender: appliance.SenderAgent, Kind: appliance.KindText, Text: "x"}})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Publish blocked")
	}
	if _, dropped := w.Stats(); dropped != 99 {
		t.Errorf("got %d dropped, want 99", dropped)
	}
}
