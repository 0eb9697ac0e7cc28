package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kefu/appliance"
)

// TestPresence: an agent who vanishes without logging out (no console open,
// no request) is set offline after session.presence_timeout, so routing stops
// offering them conversations; their console reconnecting gives them back
// the status they had.
func TestPresence(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_SESSION_PRESENCE_TIMEOUT": "30s"})
	ctx := context.Background()
	agent := login(t, p.URL(), "agent1")
	status := func() appliance.AgentStatus { t.Helper(); return statusOf(t, p, "agent1") }
	sweep := func(after time.Duration) int {
		t.Helper()
		n, err := p.Server.SweepPresence(ctx, time.Now().Add(after))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if st := status(); st != appliance.AgentOnline {
		t.Fatalf("after login: %s, want online", st)
	}
	if n := sweep(20 * time.Second); n != 0 || status() != appliance.AgentOnline {
		t.Fatalf("20 s after the last request: %d set offline, status %s; want still online", n, status())
	}
	// Busy, then gone: offline after the timeout, and audited.
	if st, b := agent.do("PUT", "/api/v1/me/status", map[string]any{"status": "busy"}, true); st != 200 {
		t.Fatalf("set busy: %d %v", st, b)
	}
	if n := sweep(31 * time.Second); n < 1 || status() != appliance.AgentOffline {
		t.Fatalf("31 s without a console or request: %d set offline, status %s; want offline", n, status())
	}
	audit, _ := p.Store.Audit(ctx, appliance.AuditFilter{Action: "user.presence"})
	if len(audit) == 0 || audit[0].TargetID != "agent1" || audit[0].Detail["from"] != "busy" || audit[0].Detail["to"] != "offline" || audit[0].ActorType != "system" {
		t.Errorf("presence audit: %+v", audit)
	}

	// The console reconnects: busy again, and an open console keeps them
	// there however long they stay silent.
	wsURL := "ws" + strings.TrimPrefix(p.URL(), "http") + "/api/v1/console/ws"
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{HTTPClient: agent.http})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for status() != appliance.AgentBusy && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := status(); st != appliance.AgentBusy {
		t.Fatalf("after the console reconnected: %s, want busy back", st)
	}
	if n := sweep(10 * time.Minute); n != 0 || status() != appliance.AgentBusy {
		t.Errorf("with the console open: %d set offline, status %s", n, status())
	}
	conn.Close(websocket.StatusNormalClosure, "")
	deadline = time.Now().Add(5 * time.Second)
	for sweep(31*time.Second) == 0 && time.Now().Before(deadline) { // the server sees the close shortly
		time.Sleep(20 * time.Millisecond)
	}
	if st := status(); st != appliance.AgentOffline {
		t.Errorf("after the console closed: %s, want offline", st)
	}
	// Logging in again is being there.
	login(t, p.URL(), "agent1")
	if st := status(); st != appliance.AgentOnline {
		t.Errorf("after a new login: %s, want online", st)
	}
}

func statusOf(t *testing.T, p *Program, username string) appliance.AgentStatus {
	t.Helper()
	u, err := p.Store.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Status
}

// TestPresenceSurvivesRestart: a busy agent set offline by presence gets
// busy back when their console reconnects to a restarted appliance, which
// reads what presence took away from the audit log.
func TestPresenceSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KEFU_SESSION_PRESENCE_TIMEOUT": "30s"}
	p, stop := startApp(t, dir, env)
	ctx := context.Background()
	agent := login(t, p.URL(), "agent1")
	if st, b := agent.do("PUT", "/api/v1/me/status", map[string]any{"status": "busy"}, true); st != 200 {
		t.Fatalf("set busy: %d %v", st, b)
	}
	if n, err := p.Server.SweepPresence(ctx, time.Now().Add(31*time.Second)); err != nil || n < 1 {
		t.Fatalf("sweep: %d set offline, %v", n, err)
	}
	stop()

	p, _ = startApp(t, dir, env)
	status := func() appliance.AgentStatus { t.Helper(); return statusOf(t, p, "agent1") }
	if st := status(); st != appliance.AgentOffline {
		t.Fatalf("after the restart: %s, want still offline", st)
	}
	// The same browser session reconnects to the restarted appliance.
	agent.url = p.URL()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(p.URL(), "http")+"/api/v1/console/ws",
		&websocket.DialOptions{HTTPClient: agent.http})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for status() != appliance.AgentBusy && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := status(); st != appliance.AgentBusy {
		t.Fatalf("console reconnected after the restart: %s, want busy back", st)
	}
}
