package cascade

import (
	"context"
	"testing"

	"kefu/nlu"
)

// Greetings and thanks must not swallow the question they open or close.
func TestPleasantriesDoNotSwallowQuestions(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "ecommerce"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"谢谢，我的快递到哪了":             "order_status",
		"你好 帮我催一下快递吧":            "urge_delivery",
		"在吗在吗 收到的杯子碎了怎么赔":        "damaged_compensation",
		"我的快递到哪了 谢谢":             "order_status",
		"hi, where is my parcel": "order_status",
	} {
		res := parse(t, e, text)
		if res.Intent != want {
			t.Errorf("%q: got %q (%.2f), want %q", text, res.Intent, res.Confidence, want)
		}
		if len(res.Trace.Steps) == 0 || res.Trace.Steps[0].Outcome != OutcomeStripped {
			t.Errorf("%q: steps %+v, want the rules step to record %q", text, res.Trace.Steps, OutcomeStripped)
		}
	}
	for text, want := range map[string]string{"谢谢": nlu.IntentThanks, "你好呀": nlu.IntentGreeting, "好的": nlu.IntentThanks, "好的谢谢": nlu.IntentThanks} {
		if res := parse(t, e, text); res.Intent != want {
			t.Errorf("%q: got %q, want %q", text, res.Intent, want)
		}
	}
}

// A pleasantry the local engine only guesses is no pleasantry: "预算300-500元"
// once came out as a goodbye at 0.33 and ended the customer's task.
func TestGuessedBuiltinIsNoIntent(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "travel"), Now: clock, Threshold: 0.55})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"预算300-500元", "三百到五百吧", "5k以内"} {
		res := parse(t, e, text)
		local := res.Trace.Steps[len(res.Trace.Steps)-1]
		if builtin(local.Intent) && local.Confidence < 0.55 && res.Intent != nlu.IntentNone {
			t.Errorf("%q: local guessed %s at %.2f, cascade said %q; want no intent", text, local.Intent, local.Confidence, res.Intent)
		}
		if builtin(res.Intent) && res.Confidence < 0.55 {
			t.Errorf("%q: got %s at %.2f, want no built-in intent below the threshold", text, res.Intent, res.Confidence)
		}
		if len(res.Entities) == 0 {
			t.Errorf("%q: no entities, want the budget", text)
		}
	}
}

// A bare amount is money when the bot has just asked for a budget, and only
// then: "300-500" out of the blue may be anything.
func TestAnswerToBudgetQuestion(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "travel"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	asked := &nlu.State{ActiveIntent: "hotel_search", Missing: []string{"budget"}, Slots: map[string]string{"checkin_date": "2026-12-04"}}
	for text, want := range map[string]string{"300-500": "300-500", "300到500吧": "300-500", "500吧": "CNY 500", "大概400": "CNY 400", "预算300-500元": "300-500"} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: asked})
		if err != nil {
			t.Fatal(err)
		}
		turn := e.Track(asked, res, "zh")
		if !turn.Answered || turn.Filled["budget"] != want || !turn.Complete {
			t.Errorf("%q after the budget question: got %v answered=%v, want budget %s", text, turn.Filled, turn.Answered, want)
		}
		if fresh := parse(t, e, text); text != "预算300-500元" && len(fresh.Entities) != 0 {
			t.Errorf("%q out of the blue: got %v, want no entity", text, fresh.Entities)
		}
	}
}

// A message that is only the answer continues the task, whatever it would
// sound like on its own; a message that says more goes to the classifier.
func TestAnswerOnlyContinuesTask(t *testing.T) {
	e, err := New(context.Background(), Config{Catalog: load(t, "travel"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	asked := &nlu.State{ActiveIntent: "hotel_search", Missing: []string{"checkin_date", "budget"}}
	for text, answer := range map[string]bool{"下周五吧": true, "就明天": true, "12月4号入住": true, "好的，300-500吧": true,
		"帮我取消下周五的预订": false, "你们酒店几点可以入住": false, "转人工": false} {
		res, err := e.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: asked})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Trace.Engine == "dialogue" && res.Intent == "hotel_search" && res.Confidence == 1; got != answer {
			t.Errorf("%q after the date and budget questions: got %s via %s, want answer=%v", text, res.Intent, res.Trace.Engine, answer)
		}
	}
	// Without an open question the same words are classified as usual.
	if res := parse(t, e, "下周五吧"); res.Trace.Engine == "dialogue" {
		t.Errorf("下周五吧 out of the blue: got the dialogue engine")
	}
}
