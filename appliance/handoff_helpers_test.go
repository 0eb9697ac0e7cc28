package appliance_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/knowledge"
	"kefu/nlu"
	"kefu/nlu/sentiment"
)

// scriptedNLU recognises the built-in intents by phrase (nlu.Rules), scores
// sentiment with the real lexicon, and knows the catalog intents a test
// declares by a phrase; it tracks the dialogue like the cascade does for
// complete intents.
type scriptedNLU struct {
	intents map[string]*nlu.Intent // phrase → intent
}

func (s scriptedNLU) Parse(ctx context.Context, in nlu.Input) (nlu.Result, error) {
	res, err := nlu.Rules{}.Parse(ctx, in)
	res.Sentiment = sentiment.Detect(in.Text)
	for phrase, it := range s.intents {
		if strings.Contains(in.Text, phrase) {
			res.Intent, res.Confidence = it.Name, 0.9
		}
	}
	return res, err
}

func (s scriptedNLU) Track(prev *nlu.State, res nlu.Result, _ string) nlu.Turn {
	st := *prev
	st.ActiveIntent = res.Intent
	turn := nlu.Turn{State: st, Complete: true}
	for _, it := range s.intents {
		if it.Name == res.Intent {
			turn.Intent = it
		}
	}
	return turn
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeTickets is an in-memory ticket desk, as the interface promises.
type fakeTickets struct {
	mu   sync.Mutex
	list []*appliance.Ticket
}

func (f *fakeTickets) CreateTicket(_ context.Context, t *appliance.Ticket) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.CustomerID == 0 || t.Type == "" {
		return appliance.Errorf(appliance.EINVALID, "invalid_ticket", "a ticket needs a customer and a type")
	}
	t.ID = int64(len(f.list) + 1)
	cp := *t
	f.list = append(f.list, &cp)
	return nil
}

func (f *fakeTickets) ListTickets(_ context.Context, flt appliance.TicketFilter) ([]*appliance.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*appliance.Ticket
	for i := len(f.list) - 1; i >= 0; i-- {
		t := f.list[i]
		if (flt.CustomerID == 0 || t.CustomerID == flt.CustomerID) && (flt.Type == "" || t.Type == flt.Type) {
			out = append(out, t)
		}
	}
	return out, nil
}

type handoffEnv struct {
	e       *appliance.Engine
	s       *store.Store
	rec     *recorder
	clock   *clock
	policy  *appliance.RoutingPolicy
	cfg     *appliance.HandoffConfig
	tickets *fakeTickets
}

var damageClaim = &nlu.Intent{Name: "damage_claim", Family: "after_sales", Handoff: true}
var orderStatus = &nlu.Intent{Name: "order_status", Family: "order"}

// newHandoffEnv returns an engine with every hand-off rule on, a fixed
// clock (a Tuesday at 10:00 in Shanghai), working hours 09:00-21:00 and
// tickets. mutate adjusts the configuration before the engine is built.
func newHandoffEnv(t *testing.T, mutate func(*appliance.EngineConfig)) *handoffEnv {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	hours, err := appliance.ParseWorkingHours("09:00-21:00", "1-7", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Asia/Shanghai")
	clk := &clock{now: time.Date(2026, 11, 24, 10, 0, 0, 0, zone)}
	groups, _ := appliance.ParseSkillGroups([]string{"售后=30s/10s", "金融业务", "课程顾问"})
	pol := &appliance.RoutingPolicy{Groups: groups, IntentGroups: map[string]string{"after_sales": "售后", "order_status": "售后"},
		Hours: hours, VIP: &appliance.VIPRule{MinLevel: 1, SpendAttribute: "yearly_spend", MinSpend: 10000},
		VIPPriority: 10, ComplaintPriority: 5, WaitAlert: 120 * time.Second, Target: 30 * time.Second, VIPTarget: 10 * time.Second}
	tickets := &fakeTickets{}
	cfg := &appliance.HandoffConfig{Policy: pol, UnsureTurns: 2, MinAnswerConfidence: 0.3, NegativeSentiment: 0.7, Complaint: true,
		CSAT: true, Flags: s, CSATs: s}
	rec := &recorder{}
	ec := appliance.EngineConfig{Store: s, Knowledge: knowledge.NewFAQMatcher(demoFAQ), Notifier: rec,
		NLU:          scriptedNLU{intents: map[string]*nlu.Intent{"破损": damageClaim, "快递到哪": orderStatus}},
		MaxTextRunes: 200, Now: clk.Now, Handoff: cfg, Tickets: tickets}
	if mutate != nil {
		mutate(&ec)
	}
	e := appliance.NewEngine(ec)
	return &handoffEnv{e: e, s: s, rec: rec, clock: clk, policy: pol, cfg: cfg, tickets: tickets}
}

func (h *handoffEnv) user(t *testing.T, name string, role appliance.Role, senior bool, skills ...string) *appliance.User {
	t.Helper()
	u := &appliance.User{Username: name, DisplayName: name, Role: role, Senior: senior, Skills: skills, MaxConcurrent: 2,
		Status: appliance.AgentOnline}
	if err := h.s.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (h *handoffEnv) say(t *testing.T, visitor, text string) *appliance.Outcome {
	t.Helper()
	h.clock.Advance(time.Second)
	return mustReceive(t, h.e, web(visitor, text+"@"+h.clock.Now().String(), text))
}

func (h *handoffEnv) conv(t *testing.T, id int64) *appliance.Conversation {
	t.Helper()
	c, err := h.s.Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (h *handoffEnv) decision(t *testing.T, out *appliance.Outcome) *appliance.Decision {
	t.Helper()
	m, err := h.s.Message(context.Background(), out.Message.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Decision == nil {
		t.Fatalf("message %d has no decision", m.ID)
	}
	return m.Decision
}

func texts(ms []*appliance.Message) string {
	var b []string
	for _, m := range ms {
		b = append(b, string(m.Sender)+":"+m.Text)
	}
	return strings.Join(b, " | ")
}
