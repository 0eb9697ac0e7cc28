package qa

import (
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/appliance"
)

// ItemReader pages through a report's audited conversations.
type ItemReader interface {
	QAReportItems(ctx context.Context, f appliance.QAItemFilter) ([]*appliance.QAReportItem, error)
}

// EachItem calls fn for every item matching f (its paging fields are
// ignored), in conversation order, one page in memory at a time.
func EachItem(ctx context.Context, r ItemReader, f appliance.QAItemFilter, fn func(*appliance.QAReportItem) error) error {
	f.AfterID, f.Limit = 0, 2000
	for {
		items, err := r.QAReportItems(ctx, f)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(items) < f.Limit {
			return nil
		}
		f.AfterID = items[len(items)-1].ConversationID
	}
}

var itemHeader = []string{"会话ID conversation", "开始时间 started", "渠道 channel", "坐席ID agent", "结局 resolution", "消息数 messages",
	"命中数 hits", "最高严重度 severity", "首次响应秒 first_response_s", "最长回复间隔秒 max_reply_gap_s", "满意度 CSAT",
	"正确性 correctness", "合规 compliance", "共情 empathy", "评语 rationale"}

var hitHeader = []string{"会话ID conversation", "消息ID message", "消息时间 message_at", "规则 rule", "类型 kind", "严重度 severity",
	"命中 excerpt", "消息内容 message"}

func itemRow(it *appliance.QAReportItem, loc *time.Location) []string {
	row := []string{strconv.FormatInt(it.ConversationID, 10), it.StartedAt.In(loc).Format(time.DateTime), it.Channel,
		idOrEmpty(it.AgentID), string(it.Resolution), strconv.Itoa(it.Messages), strconv.Itoa(it.Hits), it.Severity,
		seconds(it.FirstResponseMS), seconds(it.MaxReplyGapMS), idOrEmpty(int64(it.CSAT)), "", "", "", ""}
	if j := it.Judge; j != nil {
		if j.Error != "" {
			row[14] = j.Error
		} else {
			row[11], row[12], row[13], row[14] = strconv.Itoa(j.Correctness), strconv.Itoa(j.Compliance), strconv.Itoa(j.Empathy), j.Rationale
		}
	}
	return row
}

func hitRow(h *appliance.QAHit, loc *time.Location) []string {
	at := ""
	if !h.MessageAt.IsZero() {
		at = h.MessageAt.In(loc).Format("2006-01-02 15:04:05.000")
	}
	return []string{strconv.FormatInt(h.ConversationID, 10), idOrEmpty(h.MessageID), at, h.RuleName, string(h.Kind),
		h.Severity, h.Excerpt, h.MessageText}
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func seconds(msec int64) string {
	if msec < 0 {
		return ""
	}
	return strconv.FormatFloat(float64(msec)/1000, 'f', 1, 64)
}

// WriteCSV writes one row per audited conversation followed by, after a
// blank line, one row per rule hit. A UTF-8 byte-order mark lets Excel read
// the Chinese headers.
func WriteCSV(ctx context.Context, w io.Writer, r ItemReader, rep *appliance.QAReport, f appliance.QAItemFilter, loc *time.Location) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"质检报告 QA audit", rep.Day, "v" + strconv.Itoa(rep.Version), "sha256:" + rep.ContentHash})
	cw.Write(itemHeader)
	f.ReportID = rep.ID
	err := EachItem(ctx, r, f, func(it *appliance.QAReportItem) error {
		return cw.Write(itemRow(it, loc))
	})
	if err != nil {
		return err
	}
	cw.Write(nil)
	cw.Write(hitHeader)
	// A second pass over the flagged conversations keeps memory to one page.
	f.FlaggedOnly = true
	err = EachItem(ctx, r, f, func(it *appliance.QAReportItem) error {
		for _, h := range it.HitList {
			if err := cw.Write(hitRow(h, loc)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes a workbook with a summary sheet, a sheet of audited
// conversations and a sheet of rule hits, through excelize's stream writer.
func WriteXLSX(ctx context.Context, w io.Writer, r ItemReader, rep *appliance.QAReport, f appliance.QAItemFilter, loc *time.Location) error {
	x := excelize.NewFile()
	defer x.Close()
	const sum, conv, hit = "概要 Summary", "会话 Conversations", "命中 Hits"
	x.SetSheetName("Sheet1", sum)
	for _, s := range []string{conv, hit} {
		if _, err := x.NewSheet(s); err != nil {
			return err
		}
	}
	rows := [][]any{{"质检报告 QA audit", rep.Day}, {"版本 version", rep.Version}, {"内容哈希 sha256", rep.ContentHash},
		{"会话 conversations", rep.Conversations}, {"有命中 flagged", rep.Flagged}, {"命中 hits", rep.Hits}, {"LLM 评分 judged", rep.Judged}}
	for k, v := range flatten("", rep.Summary) {
		rows = append(rows, []any{k, v})
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sum, cell, &row); err != nil {
			return err
		}
	}
	cs, err := x.NewStreamWriter(conv)
	if err != nil {
		return err
	}
	hs, err := x.NewStreamWriter(hit)
	if err != nil {
		return err
	}
	cs.SetRow("A1", anyRow(itemHeader))
	hs.SetRow("A1", anyRow(hitHeader))
	ci, hi := 2, 2
	f.ReportID = rep.ID
	err = EachItem(ctx, r, f, func(it *appliance.QAReportItem) error {
		cell, _ := excelize.CoordinatesToCellName(1, ci)
		ci++
		if err := cs.SetRow(cell, anyRow(itemRow(it, loc))); err != nil {
			return err
		}
		for _, h := range it.HitList {
			cell, _ := excelize.CoordinatesToCellName(1, hi)
			hi++
			if err := hs.SetRow(cell, anyRow(hitRow(h, loc))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := cs.Flush(); err != nil {
		return err
	}
	if err := hs.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}

func anyRow(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// flatten turns the summary into "a.b" keys for the summary sheet.
func flatten(prefix string, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch x := v.(type) {
		case map[string]any:
			for k2, v2 := range flatten(key, x) {
				out[k2] = v2
			}
		case []any:
			var parts []string
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					parts = append(parts, fmt.Sprintf("%v: %v", em["rule"], em["hits"]))
				} else {
					parts = append(parts, fmt.Sprint(e))
				}
			}
			out[key] = strings.Join(parts, "; ")
		default:
			out[key] = v
		}
	}
	return out
}

var printTmpl = template.Must(template.New("print").Funcs(template.FuncMap{
	"time": func(t time.Time, loc *time.Location) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	},
}).Parse(`{{define "head"}}<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>质检报告 {{.Rep.Day}} v{{.Rep.Version}}</title>
<style>
body{font-family:"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;font-size:13px}
h1{font-size:20px;margin:0 0 4px} .meta{color:#555;margin-bottom:16px} .hash{font-family:monospace;font-size:11px;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:12px 0} th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0} .high{color:#b00020;font-weight:bold} .medium{color:#b26a00} .low{color:#555}
.conv{page-break-inside:avoid;margin-top:14px} @media print{body{margin:0} .noprint{display:none}}
</style></head><body>
<h1>客服质检报告 QA audit report — {{.Rep.Day}}（第 {{.Rep.Version}} 版 version {{.Rep.Version}}）</h1>
<div class="meta">会话 conversations {{.Rep.Conversations}} · 有命中 flagged {{.Rep.Flagged}} · 命中 hits {{.Rep.Hits}} · LLM 评分 judged {{.Rep.Judged}}<br>
生成 sealed {{time .Sealed .Loc}} · <span class="hash">SHA-256 {{.Rep.ContentHash}}</span></div>
<table><tr><th>项目 item</th><th>值 value</th></tr>{{range .Summary}}<tr><td>{{.K}}</td><td>{{.V}}</td></tr>{{end}}</table>
<h2>命中明细 Flagged conversations</h2>{{end}}
{{define "item"}}<div class="conv"><b>会话 #{{.It.ConversationID}}</b> · {{.It.Channel}} · {{.It.Resolution}} · 开始 {{time .It.StartedAt .Loc}}
{{with .It.Judge}}{{if not .Error}} · 评分 {{.Correctness}}/{{.Compliance}}/{{.Empathy}}：{{.Rationale}}{{end}}{{end}}
<table><tr><th style="width:140px">时间 time</th><th style="width:120px">规则 rule</th><th>命中 excerpt</th><th>消息 message</th></tr>
{{range .It.HitList}}<tr><td>{{time .MessageAt $.Loc}}</td><td class="{{.Severity}}">{{.RuleName}}</td><td>{{.Excerpt}}</td><td>{{.MessageText}}</td></tr>{{end}}
</table></div>{{end}}
{{define "foot"}}{{if not .Any}}<p>无命中 No rule hits.</p>{{end}}</body></html>{{end}}`))

type kv struct {
	K string
	V any
}

// WriteHTML writes a printable page: the summary and every flagged
// conversation with its hits (unflagged conversations are only counted).
func WriteHTML(ctx context.Context, w io.Writer, r ItemReader, rep *appliance.QAReport, f appliance.QAItemFilter, loc *time.Location) error {
	var sealed time.Time
	if rep.CompletedAt != nil {
		sealed = *rep.CompletedAt
	}
	flat := flatten("", rep.Summary)
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary []kv
	for _, k := range keys {
		summary = append(summary, kv{k, flat[k]})
	}
	if err := printTmpl.ExecuteTemplate(w, "head", map[string]any{"Rep": rep, "Loc": loc, "Sealed": sealed, "Summary": summary}); err != nil {
		return err
	}
	f.ReportID, f.FlaggedOnly = rep.ID, true
	flagged := false
	err := EachItem(ctx, r, f, func(it *appliance.QAReportItem) error {
		flagged = true
		return printTmpl.ExecuteTemplate(w, "item", map[string]any{"It": it, "Loc": loc})
	})
	if err != nil {
		return err
	}
	return printTmpl.ExecuteTemplate(w, "foot", map[string]any{"Any": flagged})
}
