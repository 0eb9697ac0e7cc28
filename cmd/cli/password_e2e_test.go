package cli

import (
	"context"
	"testing"

	"kefu/appliance"
)

// TestChangeOwnPassword: a user changes their own password with the current
// one; their other sessions end, this one goes on, and only the new
// password logs in. Wrong guesses are limited like failed logins.
func TestChangeOwnPassword(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	here := login(t, p.URL(), "agent1")
	elsewhere := login(t, p.URL(), "agent1")
	const fresh = "new-secret-2026"
	for _, tc := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"new_password": fresh}, "missing_field"},
		{map[string]any{"current_password": "wrong-password", "new_password": fresh}, "wrong_password"},
		{map[string]any{"current_password": DemoPassword, "new_password": "short"}, "weak_password"},
		{map[string]any{"current_password": DemoPassword, "new_password": DemoPassword}, "same_password"},
	} {
		if st, b := here.do("PUT", "/api/v1/me/password", tc.body, true); st != 400 || errCode(b) != tc.code {
			t.Errorf("%v: %d %v, want 400 %s", tc.body, st, b, tc.code)
		}
	}
	if st, b := here.do("PUT", "/api/v1/me/password", map[string]any{"current_password": DemoPassword, "new_password": fresh}, false); st != 403 {
		t.Errorf("without the CSRF token: %d %v, want 403", st, b)
	}
	if st, b := here.do("PUT", "/api/v1/me/password", map[string]any{"current_password": DemoPassword, "new_password": fresh}, true); st != 200 {
		t.Fatalf("change: %d %v", st, b)
	}
	if st, _ := here.do("GET", "/api/v1/auth/me", nil, false); st != 200 {
		t.Errorf("the session that changed the password: %d, want it to go on", st)
	}
	if st, b := elsewhere.do("GET", "/api/v1/auth/me", nil, false); st != 401 {
		t.Errorf("another session of the same user: %d %v, want it ended", st, b)
	}
	old := &consoleClient{t: t, url: p.URL(), http: here.http}
	if st, b := old.do("POST", "/api/v1/auth/login", map[string]any{"username": "agent1", "password": DemoPassword}, false); st != 401 {
		t.Errorf("login with the old password: %d %v", st, b)
	}
	if st, b := old.do("POST", "/api/v1/auth/login", map[string]any{"username": "agent1", "password": fresh}, false); st != 200 {
		t.Errorf("login with the new password: %d %v", st, b)
	}
	audit, _ := p.Store.Audit(context.Background(), appliance.AuditFilter{Action: "user.password_change"})
	if len(audit) != 1 || audit[0].TargetID != "agent1" || audit[0].ActorName == "" {
		t.Errorf("audit: %+v", audit)
	}

	// Guessing: five wrong passwords, then even the right one waits.
	other := login(t, p.URL(), "agent2")
	for range 5 {
		other.do("PUT", "/api/v1/me/password", map[string]any{"current_password": "guess-guess", "new_password": fresh}, true)
	}
	if st, b := other.do("PUT", "/api/v1/me/password", map[string]any{"current_password": DemoPassword, "new_password": fresh}, true); st != 429 || errCode(b) != "too_many_attempts" {
		t.Errorf("after five wrong passwords: %d %v, want 429 too_many_attempts", st, b)
	}
}
