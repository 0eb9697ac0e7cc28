package console

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"kefu/appliance"
)

// Presence keeps an agent's status true to whether they are there. Logging in
// sets an agent online and logging out offline, but a closed laptop or a
// crashed browser does neither: the router would go on offering them
// conversations. An online or busy agent with no console socket open and no
// request for PresenceTimeout is set offline; when their console connects
// again they get back the status they had. Supervisors are treated alike:
// their status shows on the routing board.
type presence struct {
	mu      sync.Mutex
	conns   map[int64]int                   // user → open console sockets
	seen    map[int64]time.Time             // user → last request, socket open or close
	resume  map[int64]appliance.AgentStatus // user → the status presence took away
	started time.Time                       // a restart gives everybody a full timeout
}

func newPresence(now time.Time) *presence {
	return &presence{conns: map[int64]int{}, seen: map[int64]time.Time{}, resume: map[int64]appliance.AgentStatus{}, started: now}
}

// staffed reports whether presence looks after u's status.
func staffed(u *appliance.User) bool {
	return u.Role == appliance.RoleAgent || u.Role == appliance.RoleSupervisor
}

func (p *presence) touch(id int64, now time.Time) {
	p.mu.Lock()
	if now.After(p.seen[id]) {
		p.seen[id] = now
	}
	p.mu.Unlock()
}

func (p *presence) connect(id int64, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns[id]++
	p.seen[id] = now
}

// restore returns the status to give back if presence had set the user
// offline ("" otherwise), and forgets it.
func (p *presence) restore(id int64) appliance.AgentStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.resume[id]
	delete(p.resume, id)
	return st
}

func (p *presence) disconnect(id int64, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns[id]--; p.conns[id] <= 0 {
		delete(p.conns, id)
	}
	p.seen[id] = now
}

// here lists the users with a console socket open or a request within
// timeout: those present on this node.
func (p *presence) here(now time.Time, timeout time.Duration) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int64
	for id, n := range p.conns {
		if n > 0 {
			out = append(out, id)
		}
	}
	for id, at := range p.seen {
		if p.conns[id] == 0 && now.Sub(at) < timeout {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// gone reports whether the user has had no socket and no request for timeout.
func (p *presence) gone(id int64, now time.Time, timeout time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last := p.seen[id]
	if last.Before(p.started) {
		last = p.started
	}
	return p.conns[id] == 0 && now.Sub(last) >= timeout
}

func (p *presence) away(id int64, was appliance.AgentStatus) {
	p.mu.Lock()
	p.resume[id] = was
	p.mu.Unlock()
}

// SweepPresence sets offline the online or busy agents and supervisors who
// have gone (see presence) as of now; it returns how many. It does nothing
// when PresenceTimeout is zero.
func (s *Server) SweepPresence(ctx context.Context, now time.Time) (int, error) {
	if s.PresenceTimeout <= 0 {
		return 0, nil
	}
	users, err := s.Store.Users(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		if !staffed(u) || u.Disabled || (u.Status != appliance.AgentOnline && u.Status != appliance.AgentBusy) ||
			!s.presence.gone(u.ID, now, s.PresenceTimeout) || (s.Elsewhere != nil && s.Elsewhere(u.ID)) {
			continue
		}
		was := u.Status
		if err := s.setPresence(ctx, u, appliance.AgentOffline, now); err != nil {
			return n, err
		}
		s.presence.away(u.ID, was)
		if !s.presence.gone(u.ID, now, s.PresenceTimeout) {
			// Their console connected while we wrote: give the status back.
			s.consoleReturned(ctx, u)
			continue
		}
		n++
	}
	return n, nil
}

// Present lists the staff present on this node (a console connected, or a
// request within the presence timeout), for the cluster's heartbeat.
func (s *Server) Present() []int64 {
	return s.presence.here(s.Now(), max(s.PresenceTimeout, time.Minute))
}

// RunPresence sweeps until ctx ends.
func (s *Server) RunPresence(ctx context.Context) {
	if s.PresenceTimeout <= 0 {
		return
	}
	t := time.NewTicker(max(s.PresenceTimeout/6, time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.SweepPresence(ctx, s.Now()); err != nil && ctx.Err() == nil {
				s.log.Warn("presence sweep failed", slog.Any("error", err))
			} else if n > 0 {
				s.log.Info("agents without a console set offline", slog.Int("count", n))
			}
		}
	}
}

// consoleConnected gives an agent whom presence set offline their status
// back when their console connects, also after a restart (the audit log
// says what presence took away); an agent who is offline for another reason
// comes back online.
func (s *Server) consoleConnected(ctx context.Context, u *appliance.User) {
	s.presence.connect(u.ID, s.Now())
	s.consoleReturned(ctx, u)
}

func (s *Server) consoleReturned(ctx context.Context, u *appliance.User) {
	back := s.presence.restore(u.ID)
	if !staffed(u) || u.Status != appliance.AgentOffline {
		return
	}
	if back == "" {
		back = s.takenByPresence(ctx, u)
	}
	if err := s.setPresence(ctx, u, back, s.Now()); err != nil {
		s.log.Warn("restoring an agent's status failed", slog.String("user", u.Username), slog.Any("error", err))
	}
}

// takenByPresence reads the audit log for the status presence took from u,
// if setting them offline is the last thing that happened to their status;
// otherwise, or if the log cannot be read, it is online.
func (s *Server) takenByPresence(ctx context.Context, u *appliance.User) appliance.AgentStatus {
	entries, err := s.Store.Audit(ctx, appliance.AuditFilter{TargetType: "user", TargetID: u.Username, Limit: 50})
	if err != nil {
		s.log.Warn("reading an agent's presence history failed", slog.String("user", u.Username), slog.Any("error", err))
		return appliance.AgentOnline
	}
	for _, e := range entries { // newest first
		switch e.Action {
		case "auth.login", "auth.logout":
			return appliance.AgentOnline
		case "user.presence":
			if was, _ := e.Detail["from"].(string); e.Detail["to"] == string(appliance.AgentOffline) &&
				(was == string(appliance.AgentBusy) || was == string(appliance.AgentOnline)) {
				return appliance.AgentStatus(was)
			}
			return appliance.AgentOnline
		}
	}
	return appliance.AgentOnline
}

// setPresence changes u's status on presence's account, audited as the
// system's doing.
func (s *Server) setPresence(ctx context.Context, u *appliance.User, to appliance.AgentStatus, now time.Time) error {
	from := u.Status
	u.Status = to
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	e := &appliance.AuditEntry{ActorType: "system", ActorName: "presence", Action: "user.presence", TargetType: "user",
		TargetID: u.Username, Detail: map[string]any{"from": from, "to": to}, CreatedAt: now}
	if err := s.Store.RecordAudit(ctx, e); err != nil {
		s.log.Error("audit record failed", "action", e.Action, "error", err)
	}
	return nil
}
