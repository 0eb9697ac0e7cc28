package console

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/analytics"
)

func (s *Server) jobs(c *gin.Context) (Jobs, bool) {
	if s.QA.Jobs == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "jobs_unavailable", "the job scheduler is not configured"))
		return nil, false
	}
	return s.QA.Jobs, true
}

func (s *Server) listJobs(c *gin.Context) {
	j, ok := s.jobs(c)
	if !ok {
		return
	}
	list, err := j.Jobs(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"jobs": list})
}

func (s *Server) listJobRuns(c *gin.Context) {
	j, ok := s.jobs(c)
	if !ok {
		return
	}
	runs, err := j.Runs(c.Request.Context(), c.Query("job"), 100)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"runs": runs})
}

// parseDay reads an optional YYYY-MM-DD in the appliance's time zone.
func (s *Server) parseDay(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, s.location())
	if err != nil {
		return time.Time{}, invalid("invalid_date", "date must be YYYY-MM-DD")
	}
	return d, nil
}

// runJob starts a job now ("run now" on the admin page); it answers once
// the run is recorded and the job goes on in the background.
func (s *Server) runJob(c *gin.Context) {
	j, ok := s.jobs(c)
	if !ok {
		return
	}
	var req struct {
		Date string `json:"date"`
	}
	if c.Request.ContentLength > 0 {
		if err := bindJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	day, err := s.parseDay(req.Date)
	if err != nil {
		s.fail(c, err)
		return
	}
	run, err := j.Trigger(c.Param("name"), day)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "job.run", "job", run.Job, map[string]any{"run_id": run.ID, "for_date": run.ForDate})
	c.JSON(http.StatusAccepted, gin.H{"run": run})
}

func (s *Server) loadAnalytics(c *gin.Context) (*analytics.Report, bool) {
	if s.QA.Reports == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "analytics_unavailable", "reports are not configured"))
		return nil, false
	}
	period := c.DefaultQuery("period", analytics.Day)
	day, err := s.parseDay(c.Query("date"))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if day.IsZero() {
		y, m, d := s.Now().In(s.location()).AddDate(0, 0, -1).Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, s.location())
	}
	rep, err := s.QA.Reports.Load(c.Request.Context(), period, day)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return rep, true
}

func (s *Server) getAnalytics(c *gin.Context) {
	rep, ok := s.loadAnalytics(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"report": rep})
}

func (s *Server) exportAnalytics(c *gin.Context) {
	rep, ok := s.loadAnalytics(c)
	if !ok {
		return
	}
	name := "kefu-report-" + rep.Period + "-" + rep.Start
	switch c.DefaultQuery("format", "csv") {
	case "csv":
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Status(http.StatusOK)
		_ = rep.WriteCSV(c.Writer)
	case "xlsx":
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Header("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		c.Status(http.StatusOK)
		_ = rep.WriteXLSX(c.Writer)
	default:
		s.fail(c, invalid("invalid_format", "format must be csv or xlsx"))
	}
}
