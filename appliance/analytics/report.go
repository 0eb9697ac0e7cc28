package analytics

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"kefu/appliance"
	"kefu/appliance/pii"
	"kefu/appliance/qa"
	"kefu/nlu"
)

// Store is what the reports read and where they are kept.
type Store interface {
	ConversationIDRange(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error)
	ConversationsCreated(ctx context.Context, from, to time.Time, afterID, maxID int64, limit int) ([]*appliance.Conversation, error)
	MessageIDRange(ctx context.Context, from, to time.Time) (lo, hi int64, ok bool, err error)
	CustomerMessages(ctx context.Context, from, to time.Time, afterID, maxID int64, limit int) ([]*appliance.Message, error)
	SaveAnalyticsReport(ctx context.Context, period, startDay string, data []byte, jobRunID int64) error
	AnalyticsReport(ctx context.Context, period, startDay string) ([]byte, time.Time, error)
}

// Periods.
const (
	Day  = "day"
	Week = "week" // Monday to Sunday
)

// Report is one period's figures.
type Report struct {
	Period        string         `json:"period"`
	Start         string         `json:"start"` // first day, YYYY-MM-DD
	End           string         `json:"end"`   // last day included
	Conversations int            `json:"conversations"`
	Messages      int            `json:"customer_messages"`
	Channels      []ChannelCount `json:"channels"`
	Resolution    map[string]int `json:"resolution"`
	// BotResolutionRate and HandoffRate are shares of the conversations (0..1).
	BotResolutionRate float64       `json:"bot_resolution_rate"`
	HandoffRate       float64       `json:"handoff_rate"`
	FirstResponse     ResponseStats `json:"first_response"`
	CSAT              CSATStats     `json:"csat"`
	TopIntents        []IntentCount `json:"top_intents"`
	// Gaps are clusters of questions the bot could not answer, largest first.
	Gaps       []Gap `json:"knowledge_gaps"`
	Unanswered int   `json:"unanswered"`
	// Heatmap counts customer messages by weekday (0 = Monday) and hour, in
	// the appliance's time zone.
	Heatmap     [7][24]int `json:"heatmap"`
	GeneratedAt time.Time  `json:"generated_at"`
}

// ChannelCount is the volume of one channel.
type ChannelCount struct {
	Channel       string `json:"channel"`
	Conversations int    `json:"conversations"`
	Messages      int    `json:"customer_messages"`
}

// ResponseStats are first-response times in seconds.
type ResponseStats struct {
	Count      int64   `json:"count"`
	AvgSeconds float64 `json:"avg_seconds"`
	P90Seconds float64 `json:"p90_seconds"`
}

// CSATStats is the distribution of satisfaction scores.
type CSATStats struct {
	Given        int     `json:"given"`
	Distribution [5]int  `json:"distribution"` // scores 1..5
	Average      float64 `json:"average"`
}

// IntentCount is how often customers asked for one intent.
type IntentCount struct {
	Intent  string `json:"intent"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Options configure a Reporter.
type Options struct {
	Store    Store
	CSAT     appliance.CSATSource // optional
	Location *time.Location
	Batch    int // rows per page; 0 means 2000
	TopN     int // intents and gaps listed; 0 means 20
	Now      func() time.Time
}

// Reporter computes and stores reports.
type Reporter struct {
	o Options
}

// New returns a reporter.
func New(o Options) *Reporter {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	if o.TopN <= 0 {
		o.TopN = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reporter{o: o}
}

// Bounds returns the first day and the day after the last of the period
// holding day, at midnight in the reporter's zone.
func (r *Reporter) Bounds(period string, day time.Time) (time.Time, time.Time, error) {
	y, m, d := day.In(r.o.Location).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, r.o.Location)
	switch period {
	case Day:
		return start, start.AddDate(0, 0, 1), nil
	case Week:
		back := (int(start.Weekday()) + 6) % 7 // days since Monday
		start = start.AddDate(0, 0, -back)
		return start, start.AddDate(0, 0, 7), nil
	}
	return time.Time{}, time.Time{}, appliance.Errorf(appliance.EINVALID, "invalid_period", "period must be day or week, got %q", period)
}

// Compute builds the report of the period holding day.
func (r *Reporter) Compute(ctx context.Context, period string, day time.Time) (*Report, error) {
	from, to, err := r.Bounds(period, day)
	if err != nil {
		return nil, err
	}
	rep := &Report{Period: period, Start: from.Format(time.DateOnly), End: to.AddDate(0, 0, -1).Format(time.DateOnly),
		Resolution: map[string]int{}, GeneratedAt: r.o.Now().UTC()}
	channels := map[string]*ChannelCount{}
	channel := func(name string) *ChannelCount {
		c := channels[name]
		if c == nil {
			c = &ChannelCount{Channel: name}
			channels[name] = c
		}
		return c
	}
	if err := r.conversations(ctx, from, to, rep, channel); err != nil {
		return nil, err
	}
	if err := r.messages(ctx, from, to, rep, channel); err != nil {
		return nil, err
	}
	for _, c := range channels {
		rep.Channels = append(rep.Channels, *c)
	}
	sort.Slice(rep.Channels, func(i, j int) bool {
		if rep.Channels[i].Conversations != rep.Channels[j].Conversations {
			return rep.Channels[i].Conversations > rep.Channels[j].Conversations
		}
		return rep.Channels[i].Channel < rep.Channels[j].Channel
	})
	if rep.Conversations > 0 {
		n := float64(rep.Conversations)
		rep.BotResolutionRate = round4(float64(rep.Resolution[string(appliance.ResolvedByBot)]) / n)
		rep.HandoffRate = round4(float64(rep.Conversations-rep.Resolution[string(appliance.ResolvedByBot)]) / n)
	}
	return rep, nil
}

func (r *Reporter) conversations(ctx context.Context, from, to time.Time, rep *Report, channel func(string) *ChannelCount) error {
	lo, hi, ok, err := r.o.Store.ConversationIDRange(ctx, from, to)
	if err != nil || !ok {
		return err
	}
	var frt qa.Histogram
	var csatSum int
	for after := lo - 1; ; {
		convs, err := r.o.Store.ConversationsCreated(ctx, from, to, after, hi, r.o.Batch)
		if err != nil {
			return err
		}
		if len(convs) == 0 {
			break
		}
		after = convs[len(convs)-1].ID
		ids := make([]int64, len(convs))
		for i, c := range convs {
			ids[i] = c.ID
			rep.Conversations++
			channel(c.Channel).Conversations++
			res := appliance.ResolvedByBot
			if c.HandoffAt != nil {
				res = appliance.Abandoned
				if c.FirstResponseAt != nil {
					res = appliance.HandedOff
					frt.Observe(c.FirstResponseAt.Sub(*c.HandoffAt).Milliseconds())
				}
			}
			rep.Resolution[string(res)]++
		}
		if r.o.CSAT != nil {
			scores, err := r.o.CSAT.CSATScores(ctx, ids)
			if err != nil {
				return err
			}
			for _, s := range scores {
				if s >= 1 && s <= 5 {
					rep.CSAT.Distribution[s-1]++
					rep.CSAT.Given++
					csatSum += s
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	rep.FirstResponse = ResponseStats{Count: frt.Count(), AvgSeconds: round2(frt.MeanSeconds()), P90Seconds: frt.Quantile(0.9)}
	if rep.CSAT.Given > 0 {
		rep.CSAT.Average = round2(float64(csatSum) / float64(rep.CSAT.Given))
	}
	return nil
}

func (r *Reporter) messages(ctx context.Context, from, to time.Time, rep *Report, channel func(string) *ChannelCount) error {
	lo, hi, ok, err := r.o.Store.MessageIDRange(ctx, from, to)
	if err != nil || !ok {
		return err
	}
	intents := map[string]*IntentCount{}
	gaps := newClusterer(500)
	for after := lo - 1; ; {
		msgs, err := r.o.Store.CustomerMessages(ctx, from, to, after, hi, r.o.Batch)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			break
		}
		after = msgs[len(msgs)-1].ID
		for _, m := range msgs {
			if m.Kind != appliance.KindText && m.Kind != "" {
				continue
			}
			rep.Messages++
			channel(m.Channel).Messages++
			local := m.CreatedAt.In(r.o.Location)
			rep.Heatmap[(int(local.Weekday())+6)%7][local.Hour()]++
			d := m.Decision
			if d == nil {
				continue
			}
			if d.NLU != nil && d.NLU.Intent != "" && !builtin(d.NLU.Intent) {
				ic := intents[d.NLU.Intent]
				if ic == nil {
					ic = &IntentCount{Intent: d.NLU.Intent, Example: pii.Mask(m.Text)}
					intents[d.NLU.Intent] = ic
				}
				ic.Count++
			}
			if unanswered(d) {
				rep.Unanswered++
				// Reports reach supervisors and exports, whatever their
				// right to see personal numbers.
				gaps.add(pii.Mask(m.Text))
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for _, ic := range intents {
		rep.TopIntents = append(rep.TopIntents, *ic)
	}
	sort.Slice(rep.TopIntents, func(i, j int) bool {
		if rep.TopIntents[i].Count != rep.TopIntents[j].Count {
			return rep.TopIntents[i].Count > rep.TopIntents[j].Count
		}
		return rep.TopIntents[i].Intent < rep.TopIntents[j].Intent
	})
	if len(rep.TopIntents) > r.o.TopN {
		rep.TopIntents = rep.TopIntents[:r.o.TopN]
	}
	rep.Gaps = gaps.top(r.o.TopN)
	return nil
}

// builtin intents (greetings, thanks, asking for a person) are not questions.
func builtin(intent string) bool {
	switch intent {
	case nlu.IntentGreeting, nlu.IntentThanks, nlu.IntentGoodbye, nlu.IntentHandoff:
		return true
	}
	return false
}

// unanswered reports whether the bot could not answer the message: it said
// it did not know, or handed off because it was unsure.
func unanswered(d *appliance.Decision) bool {
	return d.Policy == appliance.PolicyDontKnow || (d.Policy == appliance.PolicyHandoff && d.Handoff == "low_confidence")
}

// Save computes and stores the report of the period holding day.
func (r *Reporter) Save(ctx context.Context, period string, day time.Time, jobRunID int64) (*Report, error) {
	rep, err := r.Compute(ctx, period, day)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	return rep, r.o.Store.SaveAnalyticsReport(ctx, period, rep.Start, data, jobRunID)
}

// Load returns the latest stored report of the period holding day.
func (r *Reporter) Load(ctx context.Context, period string, day time.Time) (*Report, error) {
	from, _, err := r.Bounds(period, day)
	if err != nil {
		return nil, err
	}
	data, _, err := r.o.Store.AnalyticsReport(ctx, period, from.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
func round4(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }
