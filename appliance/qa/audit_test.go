package qa_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/xuri/excelize/v2"

	"kefu/appliance"
	"kefu/appliance/qa"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/knowledge"
	"kefu/nlu"
	"kefu/nlu/ollamatest"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func forEachDB(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, storetest.Open(t, d))
		})
	}
}

type csatMap map[int64]int

func (m csatMap) CSATScores(_ context.Context, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	for _, id := range ids {
		if v, ok := m[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

// seeded names the conversations of the seeded day.
type seeded struct {
	botA, handedB, abandonedC, politeD, midnightG, dayBefore, dayAfter int64
	csat                                                               csatMap
}

// seedDay writes 2026-11-23 (Shanghai) and one conversation on each
// neighbouring day. Expected by hand: 5 conversations, 2 flagged, 6 hits.
func seedDay(t *testing.T, s *store.Store) seeded {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
	var cust int64 = 100
	conv := func(channel string, start time.Time, handoff, firstResp, closed *time.Time) *appliance.Conversation {
		cust++
		c := &appliance.Conversation{CustomerID: cust, Channel: channel, LastChannel: channel, Status: appliance.StatusClosed,
			HandoffAt: handoff, FirstResponseAt: firstResp, ClosedAt: closed, LastMessageAt: start, CreatedAt: start, UpdatedAt: start}
		if handoff != nil {
			c.AssigneeID = 7
		}
		if err := s.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	say := func(c *appliance.Conversation, sender appliance.Sender, at time.Time, text, intent string) {
		m := &appliance.Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: c.Channel, Sender: sender,
			Kind: appliance.KindText, Text: text, CreatedAt: at}
		if sender == appliance.SenderAgent {
			m.SenderID = 7
		}
		if sender == appliance.SenderCustomer {
			m.Decision = &appliance.Decision{Policy: appliance.PolicyAnswer, NLU: &nlu.Result{Intent: intent, Confidence: 0.9},
				Knowledge: &knowledge.Answer{Kind: knowledge.AnswerFAQ, Passages: []knowledge.Passage{{ID: "faq-1", Title: "运费说明", Text: "满99元包邮"}}}}
		}
		if err := s.CreateMessage(ctx, m, ""); err != nil {
			t.Fatal(err)
		}
	}
	ptr := func(t time.Time) *time.Time { return &t }
	at := func(h, m, sec int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second)
	}
	var sd seeded

	before := conv("web", day.Add(-time.Second), nil, nil, nil)
	say(before, appliance.SenderCustomer, day.Add(-time.Second), "我不知道", "")
	sd.dayBefore = before.ID

	g := conv("web", day, nil, nil, nil)
	say(g, appliance.SenderCustomer, day, "在吗", "greeting")
	say(g, appliance.SenderBot, day.Add(time.Second), "您好，请问有什么可以帮您？", "")
	sd.midnightG = g.ID

	a := conv("web", at(9, 0, 0), nil, nil, nil)
	say(a, appliance.SenderCustomer, at(9, 0, 0), "运费怎么算", "shipping_fee")
	say(a, appliance.SenderBot, at(9, 0, 1), "满99元包邮。", "")
	sd.botA = a.ID

	// B: investment question, hand-off at 10:00:10, first reply 100 s later
	// without the disclosure and with a deflection; then a 200 s gap and a
	// phone number in clear.
	b := conv("app", at(10, 0, 0), ptr(at(10, 0, 10)), ptr(at(10, 1, 50)), ptr(at(10, 30, 0)))
	say(b, appliance.SenderCustomer, at(10, 0, 0), "稳盈30天收益多少", "investment_products")
	say(b, appliance.SenderCustomer, at(10, 0, 5), "转人工", "handoff")
	say(b, appliance.SenderAgent, at(10, 1, 50), "收益3.2%左右。这是公司规定，我也没办法改", "")
	say(b, appliance.SenderCustomer, at(10, 2, 0), "那怎么联系你们", "")
	say(b, appliance.SenderAgent, at(10, 5, 20), "您打我们经理电话13812345678", "")
	sd.handedB = b.ID

	// C: handed off at 11:00, nobody answered, closed at 11:10.
	c := conv("wechat_oa", at(11, 0, 0), ptr(at(11, 0, 0)), nil, ptr(at(11, 10, 0)))
	say(c, appliance.SenderCustomer, at(11, 0, 0), "转人工", "handoff")
	sd.abandonedC = c.ID

	// D: polite, answered in 30 s.
	d := conv("web", at(23, 0, 0), ptr(at(23, 0, 0)), ptr(at(23, 0, 30)), ptr(at(23, 10, 0)))
	say(d, appliance.SenderCustomer, at(23, 0, 0), "我要退货", "return_goods")
	say(d, appliance.SenderAgent, at(23, 0, 30), "您好，我来帮您办理退货，请提供订单号。", "")
	sd.politeD = d.ID

	after := conv("web", day.AddDate(0, 0, 1), nil, nil, nil)
	say(after, appliance.SenderCustomer, day.AddDate(0, 0, 1), "在吗", "")
	sd.dayAfter = after.ID
	sd.csat = csatMap{b.ID: 2, d.ID: 5, after.ID: 1}
	return sd
}

func TestAuditSeededDay(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sd := seedDay(t, s)
		aud := qa.NewAuditor(qa.AuditorOptions{Store: s, CSAT: sd.csat, Location: shanghai, Batch: 2,
			Now: func() time.Time { return time.Date(2026, 11, 24, 2, 0, 0, 0, shanghai) }})
		counts := map[string]int64{}
		rep, err := aud.Audit(ctx, time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai), 0, func(k string, n int64) { counts[k] += n })
		if err != nil {
			t.Fatal(err)
		}
		if rep.Day != "2026-11-23" || rep.Version != 1 || rep.Status != appliance.ReportComplete {
			t.Errorf("got report %s v%d %s, want 2026-11-23 v1 complete", rep.Day, rep.Version, rep.Status)
		}
		if rep.Conversations != 5 || rep.Flagged != 2 || rep.Hits != 6 || counts["conversations"] != 5 {
			t.Errorf("got %d conversations, %d flagged, %d hits (counted %d); want 5, 2, 6", rep.Conversations, rep.Flagged, rep.Hits, counts["conversations"])
		}
		items, err := s.QAReportItems(ctx, appliance.QAItemFilter{ReportID: rep.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		byConv := map[int64]*appliance.QAReportItem{}
		for _, it := range items {
			byConv[it.ConversationID] = it
		}
		if byConv[sd.dayBefore] != nil || byConv[sd.dayAfter] != nil || byConv[sd.midnightG] == nil {
			t.Errorf("day boundaries: got items for %v, want the midnight conversation in and the neighbours out", keys(byConv))
		}
		b := byConv[sd.handedB]
		var got []string
		for _, h := range b.HitList {
			got = append(got, fmt.Sprintf("%s@%s", h.RuleName, h.MessageAt.In(shanghai).Format("15:04:05")))
		}
		want := "推诿用语@10:01:50 理财风险提示@10:01:50 首次响应超时@10:01:50 明文个人信息@10:05:20 回复间隔过长@10:05:20"
		if strings.Join(got, " ") != want {
			t.Errorf("conversation B hits:\n got  %s\n want %s", strings.Join(got, " "), want)
		}
		for _, h := range b.HitList {
			if h.Kind == appliance.QAPII && (h.MessageText != "您打我们经理电话138****5678") {
				t.Errorf("PII hit message: got %q, want the masked text", h.MessageText)
			}
		}
		if b.Resolution != appliance.HandedOff || b.FirstResponseMS != 100000 || b.MaxReplyGapMS != 200000 || b.CSAT != 2 || b.Severity != "high" {
			t.Errorf("B: got %s first %d gap %d csat %d sev %s; want handed_off 100000 200000 2 high",
				b.Resolution, b.FirstResponseMS, b.MaxReplyGapMS, b.CSAT, b.Severity)
		}
		c := byConv[sd.abandonedC]
		if c.Resolution != appliance.Abandoned || len(c.HitList) != 1 || c.HitList[0].MessageID != 0 || c.HitList[0].RuleName != "首次响应超时" {
			t.Errorf("C: got %s with %+v, want abandoned with one no-reply hit", c.Resolution, c.HitList)
		}
		if d := byConv[sd.politeD]; d.Hits != 0 || d.FirstResponseMS != 30000 || d.CSAT != 5 {
			t.Errorf("D: got %d hits, first %d, csat %d; want 0, 30000, 5", d.Hits, d.FirstResponseMS, d.CSAT)
		}
		sum := rep.Summary
		res := sum["resolution"].(map[string]any)
		if res["bot_resolved"] != 2.0 || res["handed_off"] != 2.0 || res["abandoned"] != 1.0 {
			t.Errorf("resolution: got %v, want 2 bot, 2 handed off, 1 abandoned", res)
		}
		fr := sum["first_response"].(map[string]any)
		if fr["count"] != 2.0 || fr["avg_seconds"] != 65.0 || fr["p90_seconds"] != 100.0 || fr["max_seconds"] != 100.0 {
			t.Errorf("first response: got %v, want 2 replies, avg 65s, p90 100s, max 100s", fr)
		}
		csat := sum["csat"].(map[string]any)
		if csat["2"] != 1.0 || csat["5"] != 1.0 || sum["csat_given"] != 2.0 {
			t.Errorf("csat: got %v given %v, want one 2 and one 5", csat, sum["csat_given"])
		}

		// Sealed, verifiable, immutable; a re-run is a new version.
		ok, _, err := aud.Verify(ctx, rep.ID)
		if err != nil || !ok {
			t.Fatalf("verify: got %v %v, want true", ok, err)
		}
		if err := s.SealQAReport(ctx, rep); appliance.ErrorCode(err) != "report_sealed" {
			t.Errorf("sealing twice: got %v, want report_sealed", err)
		}
		if err := s.DB().Exec("UPDATE qa_report_hits SET excerpt = 'edited' WHERE report_id = ?", rep.ID).Error; err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := aud.Verify(ctx, rep.ID); ok {
			t.Errorf("verify after tampering: got true, want false")
		}
		rep2, err := aud.Audit(ctx, time.Date(2026, 11, 23, 15, 0, 0, 0, shanghai), 0, nil)
		if err != nil || rep2.Version != 2 || rep2.Hits != 6 {
			t.Fatalf("re-run: got %+v %v, want version 2 with the same 6 hits", rep2, err)
		}
		if rep2.ContentHash == rep.ContentHash {
			t.Errorf("versions 1 and 2 share a hash; the version is part of the content")
		}
		testExports(t, s, rep2, sd)
	})
}

func keys(m map[int64]*appliance.QAReportItem) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	return out
}

func testExports(t *testing.T, s *store.Store, rep *appliance.QAReport, sd seeded) {
	ctx := context.Background()
	var buf bytes.Buffer
	if err := qa.WriteCSV(ctx, &buf, s, rep, appliance.QAItemFilter{}, shanghai); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// title, header, 5 items, hit header, 6 hits (the blank line is skipped by the reader)
	if len(rows) != 1+1+5+1+6 {
		t.Errorf("csv: got %d rows, want 14:\n%s", len(rows), buf.String())
	}
	var flagged bytes.Buffer
	if err := qa.WriteCSV(ctx, &flagged, s, rep, appliance.QAItemFilter{FlaggedOnly: true, Kind: appliance.QAPII}, shanghai); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(flagged.String(), "\n"); n != 1+1+1+1+1+5 {
		t.Errorf("filtered csv (PII only): got %d lines, want one conversation and its 5 hits:\n%s", n, flagged.String())
	}

	buf.Reset()
	if err := qa.WriteXLSX(ctx, &buf, s, rep, appliance.QAItemFilter{}, shanghai); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	convRows, _ := x.GetRows("会话 Conversations")
	hitRows, _ := x.GetRows("命中 Hits")
	if len(convRows) != 6 || len(hitRows) != 7 {
		t.Errorf("xlsx: got %d conversation rows and %d hit rows, want 6 and 7", len(convRows), len(hitRows))
	}
	if len(hitRows) > 1 && hitRows[1][6] != "公司*规定*没*办法" {
		t.Errorf("xlsx first hit excerpt: got %q, want the matched phrase", hitRows[1][6])
	}

	buf.Reset()
	if err := qa.WriteHTML(ctx, &buf, s, rep, appliance.QAItemFilter{}, shanghai); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if !strings.Contains(page, fmt.Sprintf("会话 #%d", sd.handedB)) || !strings.Contains(page, fmt.Sprintf("会话 #%d", sd.abandonedC)) ||
		strings.Contains(page, fmt.Sprintf("会话 #%d", sd.politeD)) || !strings.Contains(page, rep.ContentHash) {
		t.Errorf("html: want the flagged conversations, not the clean one, and the hash:\n%s", page)
	}
}

// With Ollama configured the judge scores each conversation; its reply is
// validated against the schema and a bad reply is recorded, not trusted.
func TestAuditWithLLMJudge(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	sd := seedDay(t, st)
	srv := ollamatest.NewServer(ollamatest.Model{Name: "qwen2.5:7b-instruct"})
	defer srv.Close()
	srv.OnChat(func(req *api.ChatRequest) (string, error) {
		prompt := req.Messages[len(req.Messages)-1].Content
		switch {
		case strings.Contains(prompt, "经理电话"):
			return `{"correctness":3,"compliance":1,"empathy":2,"rationale":"未做风险提示，且明文发送手机号。"}`, nil
		case strings.Contains(prompt, "退货"):
			return `{"correctness":5,"compliance":5,"empathy":7,"rationale":"很好"}`, nil // 7 is out of range
		case strings.Contains(prompt, "转人工"):
			return `not json`, nil
		}
		return `{"correctness":4,"compliance":5,"empathy":4,"rationale":"回答与知识库一致。"}`, nil
	})
	judge, err := qa.NewOllamaJudge(srv.Client(), "qwen2.5:7b-instruct", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	aud := qa.NewAuditor(qa.AuditorOptions{Store: st, Judge: judge, Location: shanghai})
	rep, err := aud.Audit(ctx, time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Judged != 5 {
		t.Errorf("judged %d, want all 5", rep.Judged)
	}
	items, _ := st.QAReportItems(ctx, appliance.QAItemFilter{ReportID: rep.ID})
	for _, it := range items {
		j := it.Judge
		switch it.ConversationID {
		case sd.handedB:
			if j == nil || j.Compliance != 1 || j.Rationale == "" || j.Model != "qwen2.5:7b-instruct" {
				t.Errorf("B judged %+v, want compliance 1 with a rationale", j)
			}
		case sd.politeD:
			if j == nil || j.Error != qa.JudgeSchema {
				t.Errorf("D judged %+v, want %s (empathy 7)", j, qa.JudgeSchema)
			}
		case sd.abandonedC:
			if j == nil || j.Error != qa.JudgeInvalidJSON {
				t.Errorf("C judged %+v, want %s", j, qa.JudgeInvalidJSON)
			}
		}
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 5 {
		t.Fatalf("got %d chat requests, want 5", len(reqs))
	}
	var schema map[string]any
	if err := json.Unmarshal(reqs[0].Format, &schema); err != nil || schema["required"] == nil {
		t.Errorf("format: got %s, want the rubric schema", reqs[0].Format)
	}
	for _, r := range reqs {
		p := r.Messages[1].Content
		if strings.Contains(p, "13812345678") {
			t.Errorf("the judge was sent a phone number in clear: %s", p)
		}
		if strings.Contains(p, "经理电话") && !strings.Contains(p, "满99元包邮") {
			t.Errorf("the judge was not given the knowledge passages: %s", p)
		}
	}
	if j := rep.Summary["judge"].(map[string]any); j["judged"] != 3.0 || j["failed"] != 2.0 {
		t.Errorf("judge summary: got %v, want 3 scored and 2 failed", j)
	}
}
