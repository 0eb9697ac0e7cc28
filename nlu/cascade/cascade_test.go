package cascade

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"kefu/nlu"
	"kefu/nlu/catalogs"
	"kefu/nlu/entity"
	"kefu/nlu/ollama"
	"kefu/nlu/ollamatest"
)

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, entity.Shanghai())

func clock() time.Time { return now }

func load(t testing.TB, name string) *nlu.Catalog {
	t.Helper()
	c, err := catalogs.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// withLLM returns a cascade over the e-commerce catalog whose LLM is the fake
// Ollama server, scripted by reply.
func withLLM(t *testing.T, reply func(*api.ChatRequest) (string, error)) (*Engine, *ollamatest.Server) {
	t.Helper()
	srv := ollamatest.NewServer(ollamatest.Model{Name: ollama.DefaultModel})
	t.Cleanup(srv.Close)
	srv.OnChat(reply)
	llm, err := ollama.New(ollama.Config{Client: srv.Client(), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), LLM: llm, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return e, srv
}

const unsure = "嗯 那个 就是说 你懂的" // nothing the catalog knows

func parse(t *testing.T, e *Engine, text string) nlu.Result {
	t.Helper()
	res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh"})
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return res
}

func TestRulesFirst(t *testing.T) {
	e, srv := withLLM(t, nil)
	res := parse(t, e, "转人工")
	if res.Intent != nlu.IntentHandoff || res.Trace.Engine != "rules" {
		t.Errorf("got %q via %q, want handoff via rules", res.Intent, res.Trace.Engine)
	}
	if n := len(srv.ChatRequests()); n != 0 {
		t.Errorf("the LLM was asked %d times, want 0", n)
	}
}

func TestLocalWhenConfident(t *testing.T) {
	e, srv := withLLM(t, nil)
	for text, want := range map[string]string{
		"我上周买的羽绒服到哪了":        "order_status",
		"帮我催一下快递吧":           "urge_delivery",
		"收到的杯子碎了怎么赔":         "damaged_compensation",
		"where is my parcel": "order_status",
	} {
		res := parse(t, e, text)
		if res.Intent != want || res.Trace.Engine != "local" || res.Trace.Degraded != "" {
			t.Errorf("%q: got %q via %q (confidence %.2f, degraded %q), want %q via local",
				text, res.Intent, res.Trace.Engine, res.Confidence, res.Trace.Degraded, want)
		}
	}
	if n := len(srv.ChatRequests()); n != 0 {
		t.Errorf("the LLM was asked %d times, want 0", n)
	}
}

// TestOrderCodesAreNotForeign: the order number a customer pastes is new
// every day; whatever its digits, the request around it is understood.
func TestOrderCodesAreNotForeign(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < 366; d += 5 {
		code := "E" + day.AddDate(0, 0, d).Format("20060102") + "0032"
		for text, want := range map[string]string{
			"我要退货，订单号" + code:           "return_request",
			code + "到哪了":                "order_status",
			"SF" + code[1:] + "这个快递到哪了": "order_status",
		} {
			if res := parse(t, e, text); res.Intent != want || res.OutOfScope {
				t.Fatalf("%q: got %q (out of scope %v, confidence %.2f), want %q", text, res.Intent, res.OutOfScope, res.Confidence, want)
			}
		}
	}
}

func TestLLMDecidesWhenUnsure(t *testing.T) {
	e, srv := withLLM(t, func(*api.ChatRequest) (string, error) {
		return `{"intent":"order_status","confidence":0.8,"slots":{"product":"鞋子","purchase_date":"昨天","order_no":"我不知道"}}`, nil
	})
	res := parse(t, e, unsure)
	if res.Trace.Engine != "ollama" || res.Intent != "order_status" {
		t.Fatalf("got %q via %q (steps %+v), want order_status via ollama", res.Intent, res.Trace.Engine, res.Trace.Steps)
	}
	// Slot values are normalized locally; what cannot be read is dropped.
	if res.Slots["purchase_date"] != "2026-11-23" || res.Slots["product"] != "鞋子" || res.Slots["order_no"] != "" {
		t.Errorf("slots: got %v, want purchase_date 2026-11-23, product 鞋子 and no order_no", res.Slots)
	}
	if len(res.Trace.Steps) != 3 || res.Trace.Steps[1].Outcome != "unsure" || res.Trace.Steps[2].Engine != "ollama" {
		t.Errorf("steps: got %+v, want rules, local (unsure), ollama", res.Trace.Steps)
	}
	reqs := srv.ChatRequests()
	if len(reqs) != 1 || !strings.Contains(reqs[0].Messages[1].Content, "Similar examples") {
		t.Errorf("the prompt lacks the nearest examples: %+v", reqs)
	}
}

func TestDegradations(t *testing.T) {
	cases := []struct {
		name  string
		reply func(*api.ChatRequest) (string, error)
		delay time.Duration
		want  string
	}{
		{"garbage", func(*api.ChatRequest) (string, error) { return "I think it's about shoes", nil }, 0, ollama.CodeInvalidJSON},
		{"unknown intent", func(*api.ChatRequest) (string, error) {
			return `{"intent":"sell_crypto","confidence":1,"slots":{}}`, nil
		}, 0, ollama.CodeUnknownIntent},
		{"wrong types", func(*api.ChatRequest) (string, error) {
			return `{"intent":"order_status","confidence":"very","slots":{}}`, nil
		}, 0, ollama.CodeSchema},
		{"slow", func(*api.ChatRequest) (string, error) { return `{}`, nil }, time.Second, ollama.CodeTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, srv := withLLM(t, tc.reply)
			srv.SetDelay(tc.delay)
			res := parse(t, e, unsure)
			if res.Trace.Engine != "local" || res.Trace.Degraded != tc.want {
				t.Errorf("got engine %q degraded %q, want local degraded %q", res.Trace.Engine, res.Trace.Degraded, tc.want)
			}
			if res.Intent == "sell_crypto" {
				t.Errorf("acted on an invalid LLM reply")
			}
		})
	}
	t.Run("not configured", func(t *testing.T) {
		e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		res := parse(t, e, unsure)
		if res.Trace.Engine != "local" || res.Trace.Degraded != DegradedNoLLM {
			t.Errorf("got engine %q degraded %q, want local degraded %q", res.Trace.Engine, res.Trace.Degraded, DegradedNoLLM)
		}
	})
}

func TestOutOfScope(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "finance"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"今天天气怎么样", "帮我放一首周杰伦的歌", "明天北京到上海的高铁票"} {
		res := parse(t, e, text)
		if !res.OutOfScope || res.Intent != nlu.IntentNone {
			t.Errorf("%q: got intent %q out_of_scope=%v (confidence %.2f), want out of scope", text, res.Intent, res.OutOfScope, res.Confidence)
		}
	}
	if res := parse(t, e, "我想把卡里的钱提出来"); res.Intent != "withdraw" {
		t.Errorf("in scope: got %q, want withdraw", res.Intent)
	}
}

func TestEntitiesAndSentimentAlways(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	res := parse(t, e, "你们太差了 订单号123456789012 我要投诉")
	if !res.Sentiment.Complaint || res.Sentiment.Negative < 0.5 {
		t.Errorf("sentiment: got %+v, want a complaint", res.Sentiment)
	}
	if len(res.Entities) != 1 || res.Entities[0].Value != "123456789012" {
		t.Errorf("entities: got %+v, want the order number", res.Entities)
	}
}

func TestConversation(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	var st *nlu.State
	say := func(text string) nlu.Turn {
		res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: st})
		if err != nil {
			t.Fatal(err)
		}
		turn := e.Track(st, res, "zh")
		st = &turn.State
		return turn
	}
	if turn := say("我昨天买的鞋子啥时候到?"); turn.State.ActiveIntent != "order_status" || !turn.Complete {
		t.Fatalf("first: got %q missing %v, want order_status complete", turn.State.ActiveIntent, turn.Missing)
	}
	turn := say("能催吗?")
	if turn.State.ActiveIntent != "urge_delivery" || !turn.Complete || turn.Filled["purchase_date"] != "2026-11-23" {
		t.Fatalf("second: got %q %v missing %v, want urge_delivery on the same order", turn.State.ActiveIntent, turn.Filled, turn.Missing)
	}
}

// "那面霜呢?" after a question about the shoes asks the same about the
// cream; without a task in progress, or when it names nothing the task
// takes, it is read on its own.
func TestFollowUp(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Parse(context.Background(), nlu.Input{Text: "我昨天买的鞋子啥时候到?", Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	st := e.Track(nil, first, "zh").State
	st.UpdatedAt = now.Add(-time.Minute)
	for _, tc := range []struct {
		text   string
		follow bool
	}{
		{"那面霜呢?", true},
		{"面霜呢", true},
		{"那个雨靴呢？", true},
		{"what about the face cream?", true},
		{"And the rain boots?", true},
		{"那你们周末上班吗？", false}, // names nothing the task takes
		{"面霜怎么用呢", false},    // a question of its own
		{"what about returns for a cream I bought?", false},
	} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: tc.text, Lang: "zh", State: &st})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Trace.Engine == "dialogue" && res.Intent == "order_status"
		if got != tc.follow {
			t.Errorf("%q: got intent %q by %s, follow-up %v, want %v", tc.text, res.Intent, res.Trace.Engine, got, tc.follow)
		}
		if got && res.Trace.Steps[len(res.Trace.Steps)-1].Outcome != OutcomeFollowUp {
			t.Errorf("%q: steps %+v, want the dialogue step's outcome %s", tc.text, res.Trace.Steps, OutcomeFollowUp)
		}
	}
	// The same words long after the task ended, or with no task, stand alone.
	old := st
	old.UpdatedAt = now.Add(-2 * nlu.DefaultIdleTimeout)
	for _, s := range []*nlu.State{&old, nil} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: "那面霜呢?", Lang: "zh", State: s})
		if err != nil {
			t.Fatal(err)
		}
		if res.Trace.Engine == "dialogue" {
			t.Errorf("state %v: got a follow-up, want the message read on its own", s)
		}
	}
	// A booking is not repeated on a hint: "那周五呢?" after one is read on
	// its own (course_booking is not marked follow_up).
	edu, err := New(context.Background(), Config{Catalog: load(t, "education"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	booked := nlu.State{ActiveIntent: "course_booking", Slots: map[string]string{"course": "少儿英语", "date": "2026-12-02"}, UpdatedAt: now.Add(-time.Minute)}
	if res, _ := edu.Parse(context.Background(), nlu.Input{Text: "那周五呢?", Lang: "zh", State: &booked}); res.Trace.Engine == "dialogue" {
		t.Errorf("after a booking: got a follow-up %q, want the message read on its own", res.Intent)
	}
	// After 催件, "那面霜呢?" asks the order family's lookup about the cream —
	// never a second 催件 on a hint.
	urged := nlu.State{ActiveIntent: "urge_delivery", Slots: map[string]string{"order_no": "E202611240017", "product": "鞋子"}, UpdatedAt: now.Add(-time.Minute)}
	if res, _ := e.Parse(context.Background(), nlu.Input{Text: "那面霜呢?", Lang: "zh", State: &urged}); res.Trace.Engine != "dialogue" || res.Intent != "order_status" {
		t.Errorf("after 催件: got %q by %s, want an order_status follow-up", res.Intent, res.Trace.Engine)
	}
	schedule := booked
	schedule.ActiveIntent = "course_schedule"
	if res, _ := edu.Parse(context.Background(), nlu.Input{Text: "那周五呢?", Lang: "zh", State: &schedule}); res.Trace.Engine != "dialogue" || res.Intent != "course_schedule" {
		t.Errorf("after the schedule: got %q by %s, want a course_schedule follow-up", res.Intent, res.Trace.Engine)
	}
	// A size, said as a bare number, after a stock question.
	stock := nlu.State{ActiveIntent: "size_stock", Slots: map[string]string{"product": "雨靴", "size": "35"}, UpdatedAt: now.Add(-time.Minute)}
	for _, text := range []string{"那36呢", "36呢?", "what about 36?", "and size 36?"} {
		res, _ := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: &stock})
		if res.Intent != "size_stock" || len(res.Entities) != 1 || res.Entities[0].Type != "size" || res.Entities[0].Value != "36" {
			t.Errorf("%q after a stock question: got %q %+v, want size_stock with size 36", text, res.Intent, res.Entities)
		}
	}
	// Out of the blue, 36 is no size.
	if res, _ := e.Parse(context.Background(), nlu.Input{Text: "36", Lang: "zh"}); len(res.Entities) != 0 && res.Entities[0].Type == "size" {
		t.Errorf("36 alone: got %+v, want no size", res.Entities)
	}
	// Tracked, the follow-up asks about the cream's own order.
	res, _ := e.Parse(context.Background(), nlu.Input{Text: "那面霜呢?", Lang: "zh", State: &st})
	turn := e.Track(&st, res, "zh")
	if turn.Filled["product"] != "面霜" || turn.Filled["purchase_date"] != "" || !turn.Complete {
		t.Errorf("tracked: got %v missing %v, want product 面霜 alone, complete", turn.Filled, turn.Missing)
	}
}

// A bare 提交 or 确认 with nothing asked is out of scope, not 提现 or the
// nearest intent; a sentence that holds one is read as usual.
func TestBareAnswers(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "finance"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"提交", "确认。", " 是的 ", "Yes!", "submit", "35", "123456", "3.5"} {
		res := parse(t, e, text)
		if !res.OutOfScope || res.Intent != nlu.IntentNone || res.Trace.Steps[0].Outcome != OutcomeBareAnswer {
			t.Errorf("%q: got %q (oos %v, steps %+v), want out of scope as a bare answer", text, res.Intent, res.OutOfScope, res.Trace.Steps)
		}
	}
	if res := parse(t, e, "我要提现500元"); res.Intent != "withdraw" {
		t.Errorf("a sentence with 提: got %q, want withdraw", res.Intent)
	}
	// 88 says goodbye; a phone number is an entity, not a bare number.
	if res := parse(t, e, "88"); res.Trace.Steps[0].Outcome == OutcomeBareAnswer {
		t.Errorf("88: read as a bare number, want it left to the engines")
	}
	if res := parse(t, e, "13812345678"); res.OutOfScope && res.Trace.Steps[0].Outcome == OutcomeBareAnswer {
		t.Errorf("a phone number: read as a bare number")
	}
}

func TestHotReload(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if res := parse(t, e, "我要提现5000元"); res.Intent == "withdraw" {
		t.Fatalf("e-commerce catalog knows withdraw")
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := e.Parse(context.Background(), nlu.Input{Text: "我的快递到哪了"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	if err := e.Reload(context.Background(), load(t, "finance")); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if e.Version() != 2 || e.Catalog().Name != "finance" {
		t.Errorf("after reload: got version %d catalog %q, want 2 finance", e.Version(), e.Catalog().Name)
	}
	if res := parse(t, e, "我要提现5000元"); res.Intent != "withdraw" {
		t.Errorf("after reload: got %q, want withdraw", res.Intent)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Reload(ctx, load(t, "education")); err == nil {
		t.Errorf("cancelled reload: got nil error")
	}
	if e.Catalog().Name != "finance" {
		t.Errorf("a failed reload replaced the model")
	}
}

func TestBadInput(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "   \n\t", strings.Repeat("我要退货，", 2000), "😀😀😀", "hello 你好 안녕 こんにちは", "\xff\xfe\x00abc", "订单\xc3号"} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: text})
		if err != nil {
			t.Errorf("%.20q: %v", text, err)
		}
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Errorf("%.20q: confidence %v out of [0,1]", text, res.Confidence)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "转人工", "我昨天买的鞋子啥时候到?", "\xff", "😀", "5k以内 XL 13912345678", "300-500吧", "谢谢，运费怎么算", "好的呢"} {
		f.Add(s)
	}
	e, err := New(context.Background(), Config{Catalog: load(f, "ecommerce"), Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	// Also as the answer to open questions (a budget, a date), which reads
	// bare amounts as money and may take the dialogue path.
	asked := &nlu.State{ActiveIntent: "recommendation", Missing: []string{"budget", "product"}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, st := range []*nlu.State{nil, asked} {
			res, err := e.Parse(context.Background(), nlu.Input{Text: s, State: st})
			if err != nil {
				t.Fatal(err)
			}
			if res.Intent != nlu.IntentNone {
				if _, ok := e.Catalog().Intent(res.Intent); !ok {
					t.Fatalf("intent %q is not in the catalog", res.Intent)
				}
			}
			e.Track(st, res, "zh")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	e, err := New(context.Background(), Config{Catalog: load(b, "ecommerce"), Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	in := nlu.Input{Text: "我昨天买的鞋子啥时候到? 订单号123456789012"}
	for b.Loop() {
		_, _ = e.Parse(context.Background(), in)
	}
}

// An intent that only follows another (hotel_book after hotel_search) is
// recognised there, and nowhere else: "就订这个吧" with no hotel search in
// progress is not a booking (nor, as it was before the intent existed, a
// goodbye).
func TestAfterOnlyInContext(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "travel"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	search, err := e.Parse(context.Background(), nlu.Input{Text: "帮我找个杭州的酒店", Lang: "zh"})
	if err != nil || search.Intent != "hotel_search" {
		t.Fatalf("search: %+v %v", search, err)
	}
	st := e.Track(nil, search, "zh").State
	st.UpdatedAt = now.Add(-time.Minute)
	stale := st
	stale.UpdatedAt = now.Add(-2 * nlu.DefaultIdleTimeout)
	other := st
	other.ActiveIntent = "hotel_policy"
	for _, text := range []string{"就订这个吧", "帮我预订这家", "please book this hotel"} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: &st})
		if err != nil || res.Intent != "hotel_book" {
			t.Errorf("%q right after a hotel search: got %q (%v), want hotel_book", text, res.Intent, err)
		}
		for name, s := range map[string]*nlu.State{"no task": nil, "idle task": &stale, "another task": &other} {
			res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: s})
			if err != nil {
				t.Fatal(err)
			}
			if res.Intent == "hotel_book" || res.Intent == nlu.IntentGoodbye {
				t.Errorf("%q with %s: got %q, want neither a booking nor a goodbye", text, name, res.Intent)
			}
			for _, c := range res.Trace.Candidates {
				if c.Intent == "hotel_book" {
					t.Errorf("%q with %s: hotel_book still among the candidates %+v", text, name, res.Trace.Candidates)
				}
			}
		}
	}
}
