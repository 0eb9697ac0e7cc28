package ticket_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/appliance/ticket"
	"kefu/connectors"
)

type teller struct {
	mu   sync.Mutex
	told []string
	fail bool
}

func (f *teller) TellCustomer(_ context.Context, convID int64, text string) (*appliance.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, appliance.Errorf(appliance.EUNAVAILABLE, "down", "down")
	}
	f.told = append(f.told, text)
	return &appliance.Message{ConversationID: convID, Text: text}, nil
}

type hooks struct {
	mu  sync.Mutex
	got []ticket.Webhook
	srv *httptest.Server
}

func newHooks(t *testing.T) *hooks {
	h := &hooks{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var wh ticket.Webhook
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&wh) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, wh)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hooks) departments() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, w := range h.got {
		out = append(out, w.Department+":"+w.To)
	}
	return out
}

// typesWith points every department at the test webhook.
func typesWith(url string) []byte {
	return []byte(strings.ReplaceAll(string(ticket.DefaultTypes()), `webhook: ""`, `webhook: "`+url+`/hook"`))
}

func newService(t *testing.T, s *store.Store, url string, tl *teller) *ticket.Service {
	svc, err := ticket.New(ticket.Options{Store: s, Teller: tl, Client: func(urls ...string) (*http.Client, error) {
		return connectors.NewHTTPClient(0, urls...)
	}}, typesWith(url))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func forEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.Open(t, d))
		})
	}
}

func TestReturnWorkflow(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, tl := newHooks(t), &teller{}
		svc := newService(t, s, h.srv.URL, tl)
		agent := &appliance.User{ID: 3, Username: "agent1"}

		tk := &appliance.Ticket{Type: "return", CustomerID: 9, ConversationID: 4, Channel: "app", CreatedBy: "bot",
			Data: map[string]any{"order_no": "E1001"}}
		if err := svc.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if tk.Status != "待审核" || tk.ID == 0 || tk.Title != "退货" {
			t.Fatalf("created: got %+v, want status 待审核 and the type's title", tk)
		}
		// Illegal moves are refused and change nothing.
		if _, err := svc.Transition(ctx, tk.ID, "已退款", agent, ""); appliance.ErrorCode(err) != "transition_not_allowed" {
			t.Fatalf("待审核 → 已退款: got %v, want transition_not_allowed", err)
		}
		if _, err := svc.Transition(ctx, tk.ID, "飞走了", agent, ""); appliance.ErrorCode(err) != "unknown_state" {
			t.Fatalf("unknown state: got %v, want unknown_state", err)
		}
		for _, to := range []string{"已审核", "已收货", "已退款"} {
			if _, err := svc.Transition(ctx, tk.ID, to, agent, ""); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		if _, err := svc.Transition(ctx, tk.ID, "已拒绝", agent, "太迟了"); appliance.ErrorCode(err) != "transition_not_allowed" {
			t.Fatalf("out of a final state: got %v, want transition_not_allowed", err)
		}
		got, evs, err := svc.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var path []string
		for _, e := range evs {
			path = append(path, e.From+"→"+e.To)
		}
		if got.Status != "已退款" || strings.Join(path, " ") != "→待审核 待审核→已审核 已审核→已收货 已收货→已退款" {
			t.Fatalf("history: got %s %v, want every step recorded", got.Status, path)
		}
		if evs[1].Actor != "agent:3" || evs[1].ActorName != "agent1" {
			t.Errorf("actor: got %q %q", evs[1].Actor, evs[1].ActorName)
		}
		if _, err := svc.Dispatch(ctx); err != nil {
			t.Fatal(err)
		}
		if want := "after_sales:待审核 warehouse:已审核 finance:已收货"; strings.Join(h.departments(), " ") != want {
			t.Errorf("webhooks: got %v, want %s", h.departments(), want)
		}
		if len(tl.told) != 3 || !strings.Contains(tl.told[0], "订单E1001") || !strings.Contains(tl.told[0], "审核通过") {
			t.Errorf("customer told: got %q, want three messages naming the order", tl.told)
		}
		// Nothing is delivered twice.
		if _, err := svc.Dispatch(ctx); err != nil {
			t.Fatal(err)
		}
		if len(h.departments()) != 3 || len(tl.told) != 3 {
			t.Errorf("second dispatch re-sent: %d webhooks, %d messages", len(h.departments()), len(tl.told))
		}
		audit, _ := s.Audit(ctx, appliance.AuditFilter{TargetType: "ticket"})
		if len(audit) != 4 {
			t.Errorf("audit: got %d entries, want creation + 3 transitions", len(audit))
		}
	})
}

func TestRejectTellsReasonAndRetriesFailedDelivery(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, tl := newHooks(t), &teller{fail: true}
		svc := newService(t, s, h.srv.URL, tl)
		tk := &appliance.Ticket{Type: "return", CustomerID: 9, ConversationID: 4, Data: map[string]any{"order_no": "E7"}}
		if err := svc.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, tk.ID, "已拒绝", nil, "商品已使用超过7天"); err != nil {
			t.Fatal(err)
		}
		svc.Dispatch(ctx)
		if len(tl.told) != 0 {
			t.Fatalf("told while failing: %v", tl.told)
		}
		tl.fail = false
		svc.Dispatch(ctx)
		if len(tl.told) != 1 || !strings.Contains(tl.told[0], "原因：商品已使用超过7天") {
			t.Errorf("got %q, want the rejection with its reason after the retry", tl.told)
		}
	})
}

func TestTypesValidation(t *testing.T) {
	cases := map[string]string{
		"unknown initial":     "types: [{name: a, initial: x, states: [{name: y}]}]",
		"transition to void":  "types: [{name: a, initial: x, states: [{name: x}], transitions: [{from: x, to: [z]}]}]",
		"out of final":        "types: [{name: a, initial: x, states: [{name: x, final: true}, {name: y}], transitions: [{from: x, to: [y]}]}]",
		"unknown department":  "types: [{name: a, initial: x, states: [{name: x, notify: [nobody]}]}]",
		"bad webhook":         "departments: {d: {webhook: 'ftp://x'}}\ntypes: []",
		"duplicate type name": "types: [{name: a, initial: x, states: [{name: x}]}, {name: a, initial: x, states: [{name: x}]}]",
	}
	for name, doc := range cases {
		if _, err := ticket.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
	if _, err := ticket.Parse(ticket.DefaultTypes()); err != nil {
		t.Errorf("shipped types: %v", err)
	}
}

func TestUnknownTypeIsRefused(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	svc := newService(t, s, "http://127.0.0.1:1", &teller{})
	err := svc.CreateTicket(context.Background(), &appliance.Ticket{Type: "nope", CustomerID: 1})
	if appliance.ErrorCode(err) != "unknown_ticket_type" {
		t.Errorf("got %v, want unknown_ticket_type", err)
	}
}
