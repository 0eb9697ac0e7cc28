package analytics_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/appliance"
	"kefu/appliance/analytics"
	"kefu/appliance/store"
	"kefu/appliance/store/storetest"
	"kefu/nlu"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

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

// seedWeek writes the week of Monday 2026-11-23 (figures worked out by hand
// in the test below) and one conversation of the following Monday.
func seedWeek(t *testing.T, s *store.Store) csatMap {
	ctx := context.Background()
	at := func(day, h, m, sec int) time.Time { return time.Date(2026, 11, day, h, m, sec, 0, shanghai) }
	ptr := func(t time.Time) *time.Time { return &t }
	var cust int64
	conv := func(channel string, start time.Time, handoff, first *time.Time) *appliance.Conversation {
		cust++
		c := &appliance.Conversation{CustomerID: cust, Channel: channel, LastChannel: channel, Status: appliance.StatusClosed,
			HandoffAt: handoff, FirstResponseAt: first, LastMessageAt: start, CreatedAt: start, UpdatedAt: start}
		if err := s.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	ask := func(c *appliance.Conversation, at time.Time, text, intent, policy string) {
		m := &appliance.Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: c.Channel, Sender: appliance.SenderCustomer,
			Kind: appliance.KindText, Text: text, CreatedAt: at,
			Decision: &appliance.Decision{Policy: policy, NLU: &nlu.Result{Intent: intent, Confidence: 0.8}}}
		if err := s.CreateMessage(ctx, m, ""); err != nil {
			t.Fatal(err)
		}
		bot := &appliance.Message{ConversationID: c.ID, CustomerID: c.CustomerID, Channel: c.Channel, Sender: appliance.SenderBot,
			Kind: appliance.KindText, Text: "…", CreatedAt: at.Add(time.Second)}
		if err := s.CreateMessage(ctx, bot, ""); err != nil {
			t.Fatal(err)
		}
	}
	c1 := conv("web", at(23, 9, 15, 0), nil, nil)
	ask(c1, at(23, 9, 15, 0), "运费怎么算", "shipping_fee", appliance.PolicyAnswer)
	ask(c1, at(23, 9, 16, 0), "积分怎么兑换", "", appliance.PolicyDontKnow)
	c2 := conv("app", at(23, 10, 5, 0), ptr(at(23, 10, 5, 0)), ptr(at(23, 10, 5, 40)))
	ask(c2, at(23, 10, 4, 0), "我要退货", "return_goods", appliance.PolicyAnswer)
	ask(c2, at(23, 10, 5, 0), "转人工", nlu.IntentHandoff, appliance.PolicyHandoff)
	c3 := conv("wechat_oa", at(23, 10, 30, 0), ptr(at(23, 10, 30, 0)), ptr(at(23, 10, 32, 0)))
	ask(c3, at(23, 10, 30, 0), "积分能兑换什么？", "", appliance.PolicyDontKnow)
	ask(c3, at(23, 10, 31, 0), "发票怎么开 手机13812345678", "", appliance.PolicyDontKnow)
	c4 := conv("web", at(23, 22, 0, 0), ptr(at(23, 22, 0, 0)), nil)
	ask(c4, at(23, 22, 0, 0), "运费谁出", "shipping_fee", appliance.PolicyAnswer)
	c5 := conv("web", at(24, 14, 0, 0), nil, nil)
	ask(c5, at(24, 14, 0, 0), "积分兑换规则", "", appliance.PolicyDontKnow)
	ask(c5, at(24, 14, 1, 0), "运费怎么算", "shipping_fee", appliance.PolicyAnswer)
	c6 := conv("web", at(30, 9, 0, 0), nil, nil)
	ask(c6, at(30, 9, 0, 0), "运费怎么算", "shipping_fee", appliance.PolicyAnswer)
	return csatMap{c2.ID: 4, c3.ID: 2, c6.ID: 5}
}

func TestReportsAgainstHandComputedFigures(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, d)
			csat := seedWeek(t, s)
			r := analytics.New(analytics.Options{Store: s, CSAT: csat, Location: shanghai, Batch: 3})
			ctx := context.Background()
			day, err := r.Compute(ctx, analytics.Day, time.Date(2026, 11, 23, 12, 0, 0, 0, shanghai))
			if err != nil {
				t.Fatal(err)
			}
			check := func(name string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %v, want %v", name, got, want)
				}
			}
			check("day start/end", day.Start+"/"+day.End, "2026-11-23/2026-11-23")
			check("conversations", day.Conversations, 4)
			check("customer messages", day.Messages, 7)
			check("channels", day.Channels, []analytics.ChannelCount{{"web", 2, 3}, {"app", 1, 2}, {"wechat_oa", 1, 2}})
			check("resolution", day.Resolution, map[string]int{"bot_resolved": 1, "handed_off": 2, "abandoned": 1})
			check("bot resolution rate", day.BotResolutionRate, 0.25)
			check("hand-off rate", day.HandoffRate, 0.75)
			check("first response", day.FirstResponse, analytics.ResponseStats{Count: 2, AvgSeconds: 80, P90Seconds: 120})
			check("csat", day.CSAT, analytics.CSATStats{Given: 2, Distribution: [5]int{0, 1, 0, 1, 0}, Average: 3})
			check("top intents", day.TopIntents, []analytics.IntentCount{{"shipping_fee", 2, "运费怎么算"}, {"return_goods", 1, "我要退货"}})
			check("unanswered", day.Unanswered, 3)
			// Reports reach supervisors and exports: phone, ID and card numbers are masked.
			check("gaps", day.Gaps, []analytics.Gap{{"积分怎么兑换", 2, []string{"积分怎么兑换", "积分能兑换什么？"}}, {"发票怎么开 手机138****5678", 1, []string{"发票怎么开 手机138****5678"}}})
			var heat [7][24]int
			heat[0][9], heat[0][10], heat[0][22] = 2, 4, 1
			check("heat map", day.Heatmap, heat)

			week, err := r.Save(ctx, analytics.Week, time.Date(2026, 11, 26, 0, 0, 0, 0, shanghai), 0)
			if err != nil {
				t.Fatal(err)
			}
			check("week start/end", week.Start+"/"+week.End, "2026-11-23/2026-11-29")
			check("week conversations", week.Conversations, 5)
			check("week messages", week.Messages, 9)
			check("week unanswered", week.Unanswered, 4)
			check("week top gap", week.Gaps[0].Count, 3)
			check("week top intent", week.TopIntents[0], analytics.IntentCount{"shipping_fee", 3, "运费怎么算"})
			check("week heat Tue 14h", week.Heatmap[1][14], 2)
			loaded, err := r.Load(ctx, analytics.Week, time.Date(2026, 11, 29, 23, 0, 0, 0, shanghai))
			if err != nil {
				t.Fatal(err)
			}
			check("loaded week", loaded.Gaps, week.Gaps)
			if _, err := r.Load(ctx, analytics.Day, time.Date(2026, 11, 20, 0, 0, 0, 0, shanghai)); !appliance.IsNotFound(err) {
				t.Errorf("missing report: got %v, want ENOTFOUND", err)
			}
			if _, err := r.Compute(ctx, "month", time.Now()); appliance.ErrorCode(err) != "invalid_period" {
				t.Errorf("bad period: got %v, want invalid_period", err)
			}

			var buf bytes.Buffer
			if err := day.WriteCSV(&buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), "积分怎么兑换,2,积分怎么兑换 | 积分能兑换什么？") {
				t.Errorf("csv lacks the gap row:\n%s", buf.String())
			}
			buf.Reset()
			if err := day.WriteXLSX(&buf); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows("高峰时段 Peak hours")
			if len(rows) != 8 || rows[1][11] != "4" {
				t.Errorf("xlsx heat map: got %v, want Monday 10h = 4", rows)
			}
		})
	}
}
