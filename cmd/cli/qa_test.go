package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// The whole appliance: an agent's deflection raises a stored alert, an admin
// runs the audit and the reports by hand over the API, a compliance officer
// reads and exports the report, agents are refused, bad input gets codes.
func TestQAThroughTheConsoleAPI(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), map[string]string{"KEFU_JOBS_DISABLED": "true"})
	url := p.URL()
	app := &appClient{t: t, url: url, key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}
	if st, body := app.send("qa-1", "m-1", "转人工"); st != 200 {
		t.Fatalf("app send: %d %v", st, body)
	}
	agent := login(t, url, "agent1")
	st, body := agent.do("GET", "/api/v1/conversations?status=queued", nil, false)
	convs, _ := body["conversations"].([]any)
	if st != 200 || len(convs) == 0 {
		t.Fatalf("queue: %d %v", st, body)
	}
	convID := int64(convs[0].(map[string]any)["id"].(float64))
	// The audit and the reports cover the conversations created on a day
	// in jobs.timezone: the day is the conversation's, not the clock's now
	// (a midnight may pass while the test runs).
	created, err := time.Parse(time.RFC3339Nano, convs[0].(map[string]any)["created_at"].(string))
	if err != nil {
		t.Fatalf("conversation created_at: %v", err)
	}
	day := created.In(p.Config.Location()).Format(time.DateOnly)
	if st, body := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), map[string]any{"text": "这是公司规定，我也没办法"}, true); st != 201 {
		t.Fatalf("agent send: %d %v", st, body)
	}

	// The agent closes; the customer rates the service 2 of 5 through the app.
	if st, body := agent.do("POST", fmt.Sprintf("/api/v1/conversations/%d/close", convID), nil, true); st != 200 {
		t.Fatalf("close: %d %v", st, body)
	}
	rating, _ := json.Marshal(map[string]any{"user_id": "qa-1", "conversation_id": convID, "score": 2})
	if st, body := app.do("POST", "/api/v1/app/csat", rating, time.Now(), nil); st != 200 && st != 201 {
		t.Fatalf("csat: %d %v", st, body)
	}

	supervisor := login(t, url, "supervisor")
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := supervisor.do("GET", "/api/v1/qa/alerts", nil, false)
		if alerts, _ := body["alerts"].([]any); len(alerts) > 0 {
			a := alerts[0].(map[string]any)
			if a["rule_name"] != "推诿用语" || int64(a["conversation_id"].(float64)) != convID {
				t.Errorf("alert: got %v, want 推诿用语 on conversation %d", a, convID)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no QA alert stored within 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Agents see none of it.
	for _, path := range []string{"/api/v1/qa/reports", "/api/v1/qa/rules", "/api/v1/qa/alerts", "/api/v1/jobs", "/api/v1/analytics"} {
		if st, _ := agent.do("GET", path, nil, false); st != 403 {
			t.Errorf("agent GET %s: got %d, want 403", path, st)
		}
	}
	compliance := login(t, url, "compliance")
	if st, _ := compliance.do("POST", "/api/v1/jobs/qa-audit/run", map[string]any{}, true); st != 403 {
		t.Errorf("compliance running a job: got %d, want 403", st)
	}
	if st, _ := compliance.do("POST", "/api/v1/qa/rules", map[string]any{"name": "x", "kind": "phrase", "severity": "low", "phrases": []string{"x"}}, true); st != 403 {
		t.Errorf("compliance creating a rule: got %d, want 403", st)
	}

	admin := login(t, url, "admin")
	for _, c := range []struct {
		path string
		body map[string]any
		code string
	}{
		{"/api/v1/jobs/nope/run", map[string]any{}, "job_not_found"},
		{"/api/v1/jobs/qa-audit/run", map[string]any{"date": "24/11/2026"}, "invalid_date"},
		{"/api/v1/qa/rules", map[string]any{"name": "x", "kind": "regex", "severity": "low"}, "invalid_rule_kind"},
		{"/api/v1/qa/rules", map[string]any{"name": "x", "kind": "reply_gap", "severity": "low"}, "invalid_limit"},
	} {
		if st, body := admin.do("POST", c.path, c.body, true); st != 400 && st != 404 || errCode(body) != c.code {
			t.Errorf("POST %s %v: got %d %v, want %s", c.path, c.body, st, body, c.code)
		}
	}
	st, body = admin.do("POST", "/api/v1/jobs/qa-audit/run", map[string]any{"date": day}, true)
	if st != 202 {
		t.Fatalf("run qa-audit: %d %v", st, body)
	}
	runID := body["run"].(map[string]any)["id"].(float64)
	waitRun(t, admin, runID)
	if st, body := admin.do("POST", "/api/v1/jobs/top-questions/run", map[string]any{"date": day}, true); st != 202 {
		t.Fatalf("run top-questions: %d %v", st, body)
	} else {
		waitRun(t, admin, body["run"].(map[string]any)["id"].(float64))
	}

	_, body = compliance.do("GET", "/api/v1/qa/reports?day="+day, nil, false)
	reports, _ := body["reports"].([]any)
	if len(reports) != 1 {
		t.Fatalf("reports of %s: got %v, want one", day, body)
	}
	rep := reports[0].(map[string]any)
	repID := int64(rep["id"].(float64))
	if rep["status"] != appliance.ReportComplete || rep["flagged"].(float64) < 1 || len(rep["content_hash"].(string)) != 64 {
		t.Errorf("report: got %v, want complete, flagged, hashed", rep)
	}
	_, body = compliance.do("GET", fmt.Sprintf("/api/v1/qa/reports/%d/items?flagged=1&kind=phrase", repID), nil, false)
	items, _ := body["items"].([]any)
	if len(items) != 1 || int64(items[0].(map[string]any)["conversation_id"].(float64)) != convID {
		t.Fatalf("flagged phrase items: got %v, want conversation %d", body, convID)
	}
	if csat := items[0].(map[string]any)["csat"]; csat != 2.0 {
		t.Errorf("audited CSAT: got %v, want the customer's 2", csat)
	}
	hits := items[0].(map[string]any)["hit_list"].([]any)
	if h := hits[0].(map[string]any); h["message_text"] != "这是公司规定，我也没办法" || h["message_at"] == nil {
		t.Errorf("hit: got %v, want the exact message and its time", h)
	}
	if _, body := compliance.do("GET", fmt.Sprintf("/api/v1/qa/reports/%d/verify", repID), nil, false); body["valid"] != true {
		t.Errorf("verify: got %v, want valid", body)
	}
	if st, body := compliance.do("GET", fmt.Sprintf("/api/v1/qa/reports/%d/items?severity=urgent", repID), nil, false); st != 400 || errCode(body) != "invalid_severity" {
		t.Errorf("bad filter: got %d %v, want invalid_severity", st, body)
	}
	if st, body := compliance.do("GET", fmt.Sprintf("/api/v1/qa/reports/%d/export?format=pdf", repID), nil, false); st != 400 || errCode(body) != "invalid_format" {
		t.Errorf("bad export format: got %d %v, want invalid_format", st, body)
	}
	csv := compliance.raw("GET", fmt.Sprintf("/api/v1/qa/reports/%d/export?format=csv", repID))
	if !strings.Contains(csv, "这是公司规定，我也没办法") || !strings.Contains(csv, rep["content_hash"].(string)) {
		t.Errorf("csv export lacks the hit or the hash:\n%s", csv)
	}
	_, body = compliance.do("GET", "/api/v1/audit?action=qa_report.export", nil, false)
	if entries, _ := body["entries"].([]any); len(entries) != 1 {
		t.Errorf("export audit entries: got %v, want one (the refused pdf is not an export)", body)
	}

	_, body = compliance.do("GET", "/api/v1/analytics?period=day&date="+day, nil, false)
	report, _ := body["report"].(map[string]any)
	if report == nil || report["conversations"].(float64) < 1 || report["handoff_rate"].(float64) <= 0 ||
		report["csat"].(map[string]any)["given"] != 1.0 {
		t.Errorf("analytics: got %v, want the day's conversations with a hand-off", body)
	}
	if st, body := compliance.do("GET", "/api/v1/analytics?period=month", nil, false); st != 400 || errCode(body) != "invalid_period" {
		t.Errorf("bad period: got %d %v, want invalid_period", st, body)
	}
	_, body = admin.do("GET", "/api/v1/jobs", nil, false)
	var names []string
	jobs, _ := body["jobs"].([]any)
	for _, j := range jobs {
		names = append(names, j.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "integrity,qa-audit,retention,top-questions" {
		t.Errorf("jobs: got %v, want integrity, qa-audit, retention and top-questions", names)
	}
}

func waitRun(t *testing.T, c *consoleClient, id float64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, body := c.do("GET", "/api/v1/jobs/runs", nil, false)
		for _, r := range body["runs"].([]any) {
			run := r.(map[string]any)
			if run["id"] == id && run["status"] != appliance.JobRunning {
				if run["status"] != appliance.JobSucceeded {
					t.Fatalf("run %v: %v", id, run)
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("run %v did not finish in 20s", id)
}

func (c *consoleClient) raw(method, path string) string {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	io.Copy(&b, resp.Body)
	if resp.StatusCode != 200 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b.String())
	}
	return b.String()
}
