package console

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/analytics"
	"kefu/appliance/jobs"
	"kefu/appliance/qa"
)

// QAStore is what the QA pages read and write.
type QAStore interface {
	QARules(ctx context.Context) ([]*appliance.QARule, error)
	QARule(ctx context.Context, id int64) (*appliance.QARule, error)
	CreateQARule(ctx context.Context, r *appliance.QARule) error
	UpdateQARule(ctx context.Context, r *appliance.QARule) error
	DeleteQARule(ctx context.Context, id int64) error
	QAAlerts(ctx context.Context, beforeID int64, limit int) ([]*appliance.QAAlert, error)
	QAReports(ctx context.Context, day string, limit int) ([]*appliance.QAReport, error)
	QAReport(ctx context.Context, id int64) (*appliance.QAReport, error)
	QAReportItems(ctx context.Context, f appliance.QAItemFilter) ([]*appliance.QAReportItem, error)
	QAReportItem(ctx context.Context, reportID, conversationID int64) (*appliance.QAReportItem, error)
	QAHitCounts(ctx context.Context, reportID int64) (map[string]int64, error)
}

// Jobs is the scheduler as the admin page sees it.
type Jobs interface {
	Jobs(ctx context.Context) ([]jobs.Info, error)
	Runs(ctx context.Context, name string, limit int) ([]*appliance.JobRun, error)
	Trigger(name string, date time.Time) (*appliance.JobRun, error)
}

// Verifier recomputes a sealed report's content hash.
type Verifier interface {
	Verify(ctx context.Context, reportID int64) (ok bool, hash string, err error)
}

// Reports loads the stored analytics reports.
type Reports interface {
	Load(ctx context.Context, period string, day time.Time) (*analytics.Report, error)
}

// QAOptions wire the QA, jobs and analytics pages (issue 5); each part is
// optional and its routes answer 503 without it.
type QAOptions struct {
	Store    QAStore
	Verifier Verifier
	Jobs     Jobs
	Reports  Reports
	// RulesChanged is called after a supervisor edits the rules (the
	// real-time watcher reloads them).
	RulesChanged func()
	Location     *time.Location
}

const (
	permQARulesManage Permission = "qa.rules.manage"
	permQAAlertsView  Permission = "qa.alerts.view"
	permQAReportsView Permission = "qa.reports.view"
	permJobsView      Permission = "jobs.view"
	permJobsRun       Permission = "jobs.run"
	permAnalyticsView Permission = "analytics.view"
)

func (s *Server) qaRoutes() []route {
	return []route{
		{"GET", "/api/v1/qa/rules", need(permQAReportsView), s.listQARules},
		{"POST", "/api/v1/qa/rules", need(permQARulesManage), s.createQARule},
		{"PUT", "/api/v1/qa/rules/:id", need(permQARulesManage), s.updateQARule},
		{"DELETE", "/api/v1/qa/rules/:id", need(permQARulesManage), s.deleteQARule},
		{"POST", "/api/v1/qa/check", need(permQARulesManage), s.checkQAText},
		{"GET", "/api/v1/qa/alerts", need(permQAAlertsView), s.listQAAlerts},
		{"GET", "/api/v1/qa/reports", need(permQAReportsView), s.listQAReports},
		{"GET", "/api/v1/qa/reports/:id", need(permQAReportsView), s.getQAReport},
		{"GET", "/api/v1/qa/reports/:id/items", need(permQAReportsView), s.listQAReportItems},
		{"GET", "/api/v1/qa/reports/:id/items/:conv", need(permQAReportsView), s.getQAReportItem},
		{"GET", "/api/v1/qa/reports/:id/verify", need(permQAReportsView), s.verifyQAReport},
		{"GET", "/api/v1/qa/reports/:id/export", need(permQAReportsView), s.exportQAReport},

		{"GET", "/api/v1/jobs", need(permJobsView), s.listJobs},
		{"GET", "/api/v1/jobs/runs", need(permJobsView), s.listJobRuns},
		{"POST", "/api/v1/jobs/:name/run", need(permJobsRun), s.runJob},

		{"GET", "/api/v1/analytics", need(permAnalyticsView), s.getAnalytics},
		{"GET", "/api/v1/analytics/export", need(permAnalyticsView), s.exportAnalytics},
	}
}

func (s *Server) qaStore(c *gin.Context) (QAStore, bool) {
	if s.QA.Store == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "qa_unavailable", "QA is not configured"))
		return nil, false
	}
	return s.QA.Store, true
}

func (s *Server) location() *time.Location {
	if s.QA.Location != nil {
		return s.QA.Location
	}
	return time.Local
}

func (s *Server) listQARules(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	rules, err := st.QARules(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"rules": rules, "kinds": appliance.QARuleKinds})
}

type qaRuleRequest struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Severity     string   `json:"severity"`
	Phrases      []string `json:"phrases"`
	Intents      []string `json:"intents"`
	LimitSeconds int      `json:"limit_seconds"`
	Enabled      *bool    `json:"enabled"`
	Description  string   `json:"description"`
}

func (r *qaRuleRequest) apply(rule *appliance.QARule) error {
	rule.Name, rule.Kind, rule.Severity = r.Name, appliance.QARuleKind(r.Kind), r.Severity
	rule.Phrases, rule.Intents, rule.LimitSeconds, rule.Description = r.Phrases, r.Intents, r.LimitSeconds, r.Description
	if r.Enabled != nil {
		rule.Enabled = *r.Enabled
	}
	if len([]rune(rule.Description)) > 500 {
		return invalid("description_too_long", "the description must be at most 500 characters")
	}
	return qa.Validate(rule)
}

func (s *Server) createQARule(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	var req qaRuleRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	rule := &appliance.QARule{Enabled: true, CreatedAt: s.Now(), UpdatedAt: s.Now()}
	if err := req.apply(rule); err != nil {
		s.fail(c, err)
		return
	}
	if err := st.CreateQARule(c.Request.Context(), rule); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "qa_rule.create", "qa_rule", strconv.FormatInt(rule.ID, 10), map[string]any{"name": rule.Name, "kind": rule.Kind})
	s.rulesChanged()
	c.JSON(http.StatusCreated, gin.H{"rule": rule})
}

func (s *Server) updateQARule(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	rule, err := st.QARule(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	before := *rule
	var req qaRuleRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := req.apply(rule); err != nil {
		s.fail(c, err)
		return
	}
	rule.UpdatedAt = s.Now()
	if err := st.UpdateQARule(c.Request.Context(), rule); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "qa_rule.update", "qa_rule", strconv.FormatInt(id, 10),
		map[string]any{"before": before, "after": rule})
	s.rulesChanged()
	c.JSON(http.StatusOK, gin.H{"rule": rule})
}

func (s *Server) deleteQARule(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	rule, err := st.QARule(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := st.DeleteQARule(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "qa_rule.delete", "qa_rule", strconv.FormatInt(id, 10), map[string]any{"rule": rule})
	s.rulesChanged()
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func (s *Server) rulesChanged() {
	if s.QA.RulesChanged != nil {
		s.QA.RulesChanged()
	}
}

// checkQAText tries a sample agent message against the current rules, so a
// supervisor can see what a rule would catch before relying on it.
func (s *Server) checkQAText(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Text == "" || len([]rune(req.Text)) > 4000 {
		s.fail(c, invalid("invalid_text", "text must be 1 to 4000 characters"))
		return
	}
	rules, err := st.QARules(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	m := &appliance.Message{ID: 1, Sender: appliance.SenderAgent, Kind: appliance.KindText, Text: req.Text, CreatedAt: s.Now()}
	hits := qa.NewChecker(rules).CheckMessage(&appliance.Conversation{}, nil, m)
	if hits == nil {
		hits = []*appliance.QAHit{}
	}
	c.JSON(http.StatusOK, gin.H{"hits": hits})
}

func (s *Server) listQAAlerts(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	before, err := queryInt(c, "before", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	alerts, err := st.QAAlerts(c.Request.Context(), before, 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"alerts": alerts})
}

func (s *Server) listQAReports(c *gin.Context) {
	st, ok := s.qaStore(c)
	if !ok {
		return
	}
	day := c.Query("day")
	if day != "" {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			s.fail(c, invalid("invalid_day", "day must be YYYY-MM-DD"))
			return
		}
	}
	reps, err := st.QAReports(c.Request.Context(), day, 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reports": reps})
}

func (s *Server) loadQAReport(c *gin.Context) (*appliance.QAReport, bool) {
	st, ok := s.qaStore(c)
	if !ok {
		return nil, false
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	rep, err := st.QAReport(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return rep, true
}

func (s *Server) getQAReport(c *gin.Context) {
	rep, ok := s.loadQAReport(c)
	if !ok {
		return
	}
	counts, err := s.QA.Store.QAHitCounts(c.Request.Context(), rep.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"report": rep, "hit_counts": counts})
}

// itemFilter reads the list filters shared by the item list and exports.
func itemFilter(c *gin.Context, reportID int64) (appliance.QAItemFilter, error) {
	f := appliance.QAItemFilter{ReportID: reportID, FlaggedOnly: c.Query("flagged") == "1",
		Resolution: appliance.Resolution(c.Query("resolution")), Severity: c.Query("severity"),
		Kind: appliance.QARuleKind(c.Query("kind")), Channel: c.Query("channel")}
	switch f.Resolution {
	case "", appliance.ResolvedByBot, appliance.HandedOff, appliance.Abandoned:
	default:
		return f, invalid("invalid_resolution", "unknown resolution %q", f.Resolution)
	}
	switch f.Severity {
	case "", appliance.SeverityHigh, appliance.SeverityMedium, appliance.SeverityLow:
	default:
		return f, invalid("invalid_severity", "unknown severity %q", f.Severity)
	}
	if f.Kind != "" {
		known := false
		for _, k := range appliance.QARuleKinds {
			known = known || k == f.Kind
		}
		if !known {
			return f, invalid("invalid_rule_kind", "unknown rule kind %q", f.Kind)
		}
	}
	after, err := queryInt(c, "after", 0)
	if err != nil {
		return f, err
	}
	limit, err := queryInt(c, "limit", 50)
	if err != nil {
		return f, err
	}
	f.AfterID, f.Limit = after, int(min(limit, 500))
	return f, nil
}

func (s *Server) listQAReportItems(c *gin.Context) {
	rep, ok := s.loadQAReport(c)
	if !ok {
		return
	}
	f, err := itemFilter(c, rep.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.QA.Store.QAReportItems(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "more": len(items) == f.Limit})
}

func (s *Server) getQAReportItem(c *gin.Context) {
	rep, ok := s.loadQAReport(c)
	if !ok {
		return
	}
	conv, err := pathID(c, "conv")
	if err != nil {
		s.fail(c, err)
		return
	}
	it, err := s.QA.Store.QAReportItem(c.Request.Context(), rep.ID, conv)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item": it})
}

func (s *Server) verifyQAReport(c *gin.Context) {
	rep, ok := s.loadQAReport(c)
	if !ok {
		return
	}
	if s.QA.Verifier == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "qa_unavailable", "QA is not configured"))
		return
	}
	valid, hash, err := s.QA.Verifier.Verify(c.Request.Context(), rep.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"valid": valid, "recorded_hash": rep.ContentHash, "computed_hash": hash})
}

func (s *Server) exportQAReport(c *gin.Context) {
	rep, ok := s.loadQAReport(c)
	if !ok {
		return
	}
	if rep.Status != appliance.ReportComplete {
		s.fail(c, appliance.Errorf(appliance.ECONFLICT, "report_not_complete", "the report is %s", rep.Status))
		return
	}
	f, err := itemFilter(c, rep.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	format := c.DefaultQuery("format", "csv")
	name := "kefu-qa-" + rep.Day + "-v" + strconv.Itoa(rep.Version)
	var write func() error
	ctx, w := c.Request.Context(), c.Writer
	switch format {
	case "csv":
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		write = func() error { return qa.WriteCSV(ctx, w, s.QA.Store, rep, f, s.location()) }
	case "xlsx":
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Header("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		write = func() error { return qa.WriteXLSX(ctx, w, s.QA.Store, rep, f, s.location()) }
	case "html":
		c.Header("Content-Type", "text/html; charset=utf-8")
		write = func() error { return qa.WriteHTML(ctx, w, s.QA.Store, rep, f, s.location()) }
	default:
		s.fail(c, invalid("invalid_format", "format must be csv, xlsx or html"))
		return
	}
	s.audit(c, currentUser(c), "qa_report.export", "qa_report", strconv.FormatInt(rep.ID, 10),
		map[string]any{"format": format, "day": rep.Day, "version": rep.Version})
	c.Status(http.StatusOK)
	if err := write(); err != nil {
		// Headers are gone; the truncated download is all the client sees.
		s.log.Error("qa: export failed", "report_id", rep.ID, "error", err)
	}
}
