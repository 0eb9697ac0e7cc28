package appliance

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// The router hands queued conversations to agents and watches how long
// customers wait. Assignment is an offer: a routed conversation stays
// queued (the bot stays silent) with the chosen agent as assignee, shows in
// that agent's queue, and becomes theirs when they take it or reply. Any
// agent may still take a routed conversation; an offer to an agent who went
// away or offline is withdrawn and routed again, and so is an offer nobody
// took within the policy's OfferTimeout: it goes to another agent who can
// serve it (back to the same one only when nobody else can), and the agent
// and the supervisors are told.
//
// Order: priority first (VIPs, complaints), then the longest wait. VIP
// conversations go to senior agents first; others to non-senior agents
// first, keeping seniors free for VIPs. Either falls back to whoever has
// capacity rather than wait. Only agents (not supervisors) are routed to,
// only when online, within their skills and under their max concurrent
// conversations.

// RoutingStore is what the router reads.
type RoutingStore interface {
	Users(ctx context.Context) ([]*User, error)
	// QueuedConversations lists queued conversations by priority (highest
	// first), then hand-off time (oldest first).
	QueuedConversations(ctx context.Context, limit int) ([]*Conversation, error)
	// AgentLoads counts each agent's open human conversations: assigned
	// ones and queued ones routed to them.
	AgentLoads(ctx context.Context) (map[int64]int, error)
	ListConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error)
	// CustomerWaits tells, per conversation, whether an agent has replied
	// and since when the customer's oldest unanswered message waits.
	CustomerWaits(ctx context.Context, conversationIDs []int64) (map[int64]CustomerWait, error)
}

// CustomerWait is where a conversation stands on human replies.
type CustomerWait struct {
	AgentReplied bool
	// Since is the oldest customer message after the last agent reply;
	// zero when the customer has nothing unanswered.
	Since time.Time
}

// Assigner is the engine's side of routing.
type Assigner interface {
	Route(ctx context.Context, convID int64, agent *User) (*Conversation, error)
	Unroute(ctx context.Context, convID int64, reason string) (*Conversation, error)
}

// Why an offer is withdrawn (the audit log's reason).
const (
	UnrouteAgentAway = "agent_away"   // the agent went away, offline or was disabled
	UnrouteLapsed    = "offer_lapsed" // the agent did not take it within the offer timeout
)

// RouterConfig wires a Router.
type RouterConfig struct {
	Policy   *RoutingPolicy
	Store    RoutingStore
	Notifier Notifier // where alerts go (the hub)
	Logger   *slog.Logger
	Now      func() time.Time
	// Interval is how often the router looks at the queue and the waits
	// even when nothing happened; default one second.
	Interval time.Duration
}

// Router routes queued conversations and raises waiting alerts.
type Router struct {
	cfg  RouterConfig
	kick chan struct{}

	mu         sync.Mutex
	alerted    map[int64]time.Time // conversation → the wait already alerted on
	lastRouted map[int64]time.Time // agent → when they last got a conversation
	offers     map[int64]offer     // conversation → its standing offer
	lapsed     map[int64][]int64   // conversation → agents who let its offer lapse
}

// offer is a routed conversation waiting for its agent. An offer the router
// did not make itself (one standing across a restart) is timed from when it
// was stored as made (the conversation's AssignedAt while it is queued).
type offer struct {
	agent int64
	at    time.Time
}

// NewRouter returns a router; Run starts it.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.Policy == nil {
		cfg.Policy = &RoutingPolicy{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Notifier == nil {
		cfg.Notifier = nopNotifier{}
	}
	return &Router{cfg: cfg, kick: make(chan struct{}, 1), alerted: map[int64]time.Time{}, lastRouted: map[int64]time.Time{},
		offers: map[int64]offer{}, lapsed: map[int64][]int64{}}
}

// Policy returns the routing policy.
func (r *Router) Policy() *RoutingPolicy { return r.cfg.Policy }

// Kick asks for a routing pass now (a hand-off, a closed conversation).
func (r *Router) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Observe kicks the router on every conversation change (see Relay): a
// hand-off is routed at once rather than at the next tick, and a close frees
// capacity for the queue.
func (r *Router) Observe(e Event) {
	if e.Type == EventConversation {
		r.Kick()
	}
}

// Run routes and checks waits until ctx ends.
func (r *Router) Run(ctx context.Context, a Assigner) {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		tick := false
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-t.C:
			tick = true
		}
		if _, err := r.Dispatch(ctx, a); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("routing failed", slog.Any("error", err))
		}
		if tick {
			if _, err := r.CheckWaits(ctx); err != nil && ctx.Err() == nil {
				r.cfg.Logger.Warn("checking waits failed", slog.Any("error", err))
			}
		}
	}
}

// capacity is how many open conversations an agent may hold; zero or less
// keeps them out of automatic assignment.
func capacity(u *User) int { return max(u.MaxConcurrent, 0) }

// routable reports whether the router may offer conversations to u at all.
func routable(u *User) bool { return u.Role == RoleAgent && !u.Disabled }

// Dispatch routes what is queued and unrouted; it returns how many
// conversations it routed.
func (r *Router) Dispatch(ctx context.Context, a Assigner) (int, error) {
	queued, err := r.cfg.Store.QueuedConversations(ctx, 500)
	if err != nil || len(queued) == 0 {
		return 0, err
	}
	users, err := r.cfg.Store.Users(ctx)
	if err != nil {
		return 0, err
	}
	loads, err := r.cfg.Store.AgentLoads(ctx)
	if err != nil {
		return 0, err
	}
	byID := map[int64]*User{}
	var agents []*User
	skills := map[string]bool{} // every skill some agent has
	for _, u := range users {
		byID[u.ID] = u
		if routable(u) {
			agents = append(agents, u)
			for _, s := range u.Skills {
				skills[s] = true
			}
		}
	}
	now := r.cfg.Now()
	timeout := r.cfg.Policy.OfferTimeout
	r.forget(queued)
	routed := 0
	for _, c := range queued {
		if c.AssigneeID != 0 {
			u := byID[c.AssigneeID]
			reason := UnrouteAgentAway
			if u != nil && !u.Disabled && (u.Status == AgentOnline || u.Status == AgentBusy) {
				if !r.lapse(c, now, timeout) {
					continue // offered and still theirs to take
				}
				reason = UnrouteLapsed
			}
			if _, err := a.Unroute(ctx, c.ID, reason); err != nil {
				if IsConflict(err) || IsNotFound(err) {
					continue
				}
				return routed, err
			}
			loads[c.AssigneeID]--
			r.mu.Lock()
			delete(r.offers, c.ID)
			if reason == UnrouteLapsed {
				r.lapsed[c.ID] = append(r.lapsed[c.ID], c.AssigneeID)
			}
			r.mu.Unlock()
			if reason == UnrouteLapsed {
				r.alertLapsed(c, timeout, now)
			}
		}
		// A group nobody has is a configuration slip: anyone may serve it.
		group := c.SkillGroup
		if group != "" && !skills[group] {
			group = ""
		}
		var cands []*User
		for _, u := range agents {
			if u.Status == AgentOnline && loads[u.ID] < capacity(u) && (group == "" || slices.Contains(u.Skills, group)) {
				cands = append(cands, u)
			}
		}
		agent := r.pick(r.fresh(c.ID, cands), loads, r.cfg.Policy.IsVIPPriority(c.Priority))
		if agent == nil {
			continue
		}
		if _, err := a.Route(ctx, c.ID, agent); err != nil {
			if IsConflict(err) || IsNotFound(err) {
				continue // taken or closed meanwhile
			}
			return routed, err
		}
		loads[agent.ID]++
		r.mu.Lock()
		r.lastRouted[agent.ID] = now
		r.offers[c.ID] = offer{agent: agent.ID, at: now}
		r.mu.Unlock()
		routed++
	}
	return routed, nil
}

// forget drops what the router remembers of conversations no longer queued
// (taken, closed, back with the bot).
func (r *Router) forget(queued []*Conversation) {
	ids := make(map[int64]bool, len(queued))
	for _, c := range queued {
		ids[c.ID] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.offers {
		if !ids[id] {
			delete(r.offers, id)
		}
	}
	for id := range r.lapsed {
		if !ids[id] {
			delete(r.lapsed, id)
		}
	}
}

// lapse reports whether c's standing offer has run out. An offer it has not
// seen before (made before a restart, or by another router) is timed from
// when it was stored, or from now if that is unknown.
func (r *Router) lapse(c *Conversation, now time.Time, timeout time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.offers[c.ID]
	if !ok || o.agent != c.AssigneeID {
		o = offer{agent: c.AssigneeID, at: now}
		if c.AssignedAt != nil && !c.AssignedAt.After(now) {
			o.at = *c.AssignedAt
		}
		r.offers[c.ID] = o
	}
	return timeout > 0 && now.Sub(o.at) >= timeout
}

// fresh leaves out the agents who already let conv's offer lapse, unless
// nobody else can take it.
func (r *Router) fresh(conv int64, cands []*User) []*User {
	r.mu.Lock()
	missed := r.lapsed[conv]
	r.mu.Unlock()
	if len(missed) == 0 {
		return cands
	}
	var out []*User
	for _, u := range cands {
		if !slices.Contains(missed, u.ID) {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return cands
	}
	return out
}

// alertLapsed tells the agent who let an offer lapse and the supervisors.
func (r *Router) alertLapsed(c *Conversation, timeout time.Duration, now time.Time) {
	text := fmt.Sprintf("会话 %d 秒内未被接入，已重新分配", int(timeout.Seconds()))
	base := Alert{Kind: "offer_lapsed", ConversationID: c.ID, Text: text, CreatedAt: now}
	r.cfg.Notifier.Publish(Event{Type: EventAlert, Alert: &base}) // supervisors
	a := base
	a.UserID = c.AssigneeID
	r.cfg.Notifier.Publish(Event{Type: EventAlert, Alert: &a})
}

// pick chooses among agents with capacity: seniors first for VIPs,
// non-seniors first otherwise; then the lightest relative load, then whoever
// waited longest for a conversation.
func (r *Router) pick(cands []*User, loads map[int64]int, vip bool) *User {
	if len(cands) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.MinFunc(cands, func(a, b *User) int {
		pa, pb := a.Senior != vip, b.Senior != vip // false sorts first: the preferred kind
		if pa != pb {
			if !pa {
				return -1
			}
			return 1
		}
		// Compare load/capacity without division: la/ca vs lb/cb.
		if c := cmp.Compare(loads[a.ID]*capacity(b), loads[b.ID]*capacity(a)); c != 0 {
			return c
		}
		if c := r.lastRouted[a.ID].Compare(r.lastRouted[b.ID]); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// waitingSince is when the customer started waiting for a human reply; zero
// when they are not waiting.
func waitingSince(c *Conversation, w CustomerWait) time.Time {
	if !w.AgentReplied {
		if c.HandoffAt != nil {
			return *c.HandoffAt
		}
		return w.Since
	}
	return w.Since
}

// CheckWaits alerts the agent concerned and the supervisors when a
// customer has waited WaitAlert for a human reply; each wait is alerted once.
// It returns how many waits it alerted on.
func (r *Router) CheckWaits(ctx context.Context) (int, error) {
	limit := r.cfg.Policy.WaitAlert
	if limit <= 0 {
		return 0, nil
	}
	convs, err := r.cfg.Store.ListConversations(ctx, ConversationFilter{Statuses: []ConversationStatus{StatusQueued, StatusAssigned}, Limit: 500})
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(convs))
	for i, c := range convs {
		ids[i] = c.ID
	}
	waits, err := r.cfg.Store.CustomerWaits(ctx, ids)
	if err != nil {
		return 0, err
	}
	now := r.cfg.Now()
	var due []*Conversation
	r.mu.Lock()
	open := map[int64]bool{}
	for _, c := range convs {
		open[c.ID] = true
		since := waitingSince(c, waits[c.ID])
		if since.IsZero() {
			delete(r.alerted, c.ID)
			continue
		}
		if now.Sub(since) < limit || r.alerted[c.ID].Equal(since) {
			continue
		}
		r.alerted[c.ID] = since
		due = append(due, c)
	}
	for id := range r.alerted {
		if !open[id] {
			delete(r.alerted, id)
		}
	}
	r.mu.Unlock()
	if len(due) == 0 {
		return 0, nil
	}
	var users []*User
	for _, c := range due {
		if c.AssigneeID == 0 && users == nil {
			if users, err = r.cfg.Store.Users(ctx); err != nil {
				return 0, err
			}
		}
		text := fmt.Sprintf("该用户已等待 %d 秒，请尽快处理", int(limit.Seconds()))
		base := Alert{Kind: "waiting_too_long", ConversationID: c.ID, Text: text, CreatedAt: now}
		r.cfg.Notifier.Publish(Event{Type: EventAlert, Alert: &base}) // supervisors
		for _, id := range r.alertRecipients(c, users) {
			a := base
			a.UserID = id
			r.cfg.Notifier.Publish(Event{Type: EventAlert, Alert: &a})
		}
	}
	return len(due), nil
}

// alertRecipients are the agent a conversation is assigned or offered to,
// or — while nobody has it — the online agents who could take it.
func (r *Router) alertRecipients(c *Conversation, users []*User) []int64 {
	if c.AssigneeID != 0 {
		return []int64{c.AssigneeID}
	}
	var out []int64
	for _, u := range users {
		if routable(u) && u.Status == AgentOnline && (c.SkillGroup == "" || slices.Contains(u.Skills, c.SkillGroup)) {
			out = append(out, u.ID)
		}
	}
	return out
}

// AgentState is an agent as the routing board shows them.
type AgentState struct {
	ID            int64       `json:"id"`
	Username      string      `json:"username"`
	DisplayName   string      `json:"display_name"`
	Role          Role        `json:"role"`
	Status        AgentStatus `json:"status"`
	Skills        []string    `json:"skills"`
	Senior        bool        `json:"senior"`
	Load          int         `json:"load"`
	MaxConcurrent int         `json:"max_concurrent"`
}

// Agents lists the agents and supervisors with their current load.
func (r *Router) Agents(ctx context.Context) ([]AgentState, error) {
	users, err := r.cfg.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	loads, err := r.cfg.Store.AgentLoads(ctx)
	if err != nil {
		return nil, err
	}
	out := []AgentState{}
	for _, u := range users {
		if u.Disabled || (u.Role != RoleAgent && u.Role != RoleSupervisor) {
			continue
		}
		out = append(out, AgentState{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Status: u.Status,
			Skills: u.Skills, Senior: u.Senior, Load: loads[u.ID], MaxConcurrent: u.MaxConcurrent})
	}
	return out, nil
}
