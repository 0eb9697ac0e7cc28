package analytics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sections lays a report out as titled tables, shared by CSV and XLSX.
func (r *Report) sections() []section {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	i := strconv.Itoa
	overview := section{"概要 Overview", []string{"指标 metric", "值 value"}, [][]string{
		{"周期 period", r.Period}, {"开始 start", r.Start}, {"结束 end", r.End},
		{"会话 conversations", i(r.Conversations)}, {"客户消息 customer messages", i(r.Messages)},
		{"机器人解决 bot resolved", i(r.Resolution["bot_resolved"])}, {"转人工 handed off", i(r.Resolution["handed_off"])},
		{"放弃 abandoned", i(r.Resolution["abandoned"])}, {"机器人解决率 bot resolution rate", f(r.BotResolutionRate)},
		{"转人工率 hand-off rate", f(r.HandoffRate)}, {"首次响应次数 first responses", strconv.FormatInt(r.FirstResponse.Count, 10)},
		{"平均首次响应秒 avg first response s", f(r.FirstResponse.AvgSeconds)}, {"P90 首次响应秒 p90 first response s", f(r.FirstResponse.P90Seconds)},
		{"满意度评价数 CSAT given", i(r.CSAT.Given)}, {"平均满意度 CSAT average", f(r.CSAT.Average)},
		{"未能回答 unanswered", i(r.Unanswered)},
	}}
	csat := section{"满意度分布 CSAT", []string{"分数 score", "数量 count"}, nil}
	for s, n := range r.CSAT.Distribution {
		csat.rows = append(csat.rows, []string{i(s + 1), i(n)})
	}
	ch := section{"渠道 Channels", []string{"渠道 channel", "会话 conversations", "客户消息 customer messages"}, nil}
	for _, c := range r.Channels {
		ch.rows = append(ch.rows, []string{c.Channel, i(c.Conversations), i(c.Messages)})
	}
	intents := section{"热门意图 Top intents", []string{"意图 intent", "次数 count", "示例 example"}, nil}
	for _, in := range r.TopIntents {
		intents.rows = append(intents.rows, []string{in.Intent, i(in.Count), in.Example})
	}
	gaps := section{"知识缺口 Knowledge gaps", []string{"问题 question", "次数 count", "示例 examples"}, nil}
	for _, g := range r.Gaps {
		gaps.rows = append(gaps.rows, []string{g.Label, i(g.Count), strings.Join(g.Examples, " | ")})
	}
	heat := section{"高峰时段 Peak hours", []string{"星期 weekday"}, nil}
	for h := range 24 {
		heat.header = append(heat.header, fmt.Sprintf("%02d", h))
	}
	for d, name := range []string{"周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun"} {
		row := []string{name}
		for h := range 24 {
			row = append(row, i(r.Heatmap[d][h]))
		}
		heat.rows = append(heat.rows, row)
	}
	return []section{overview, ch, csat, intents, gaps, heat}
}

type section struct {
	title  string
	header []string
	rows   [][]string
}

// WriteCSV writes the report's sections one after another.
func (r *Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, s := range r.sections() {
		cw.Write([]string{s.title})
		cw.Write(s.header)
		cw.WriteAll(s.rows)
		cw.Write(nil)
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes one sheet per section.
func (r *Report) WriteXLSX(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	for n, s := range r.sections() {
		name := s.title
		if n == 0 {
			x.SetSheetName("Sheet1", name)
		} else if _, err := x.NewSheet(name); err != nil {
			return err
		}
		rows := append([][]string{s.header}, s.rows...)
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			vals := make([]any, len(row))
			for j, v := range row {
				if num, err := strconv.ParseFloat(v, 64); err == nil && i > 0 {
					vals[j] = num
				} else {
					vals[j] = v
				}
			}
			if err := x.SetSheetRow(name, cell, &vals); err != nil {
				return err
			}
		}
	}
	return x.Write(w)
}
