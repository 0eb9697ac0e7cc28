package nlu_test

import (
	"context"
	"testing"

	"kefu/nlu"
)

func TestRules(t *testing.T) {
	for text, want := range map[string]string{
		"转人工":                    nlu.IntentHandoff,
		"我要转人工服务":                nlu.IntentHandoff,
		"can I talk to a human?": nlu.IntentHandoff,
		"你好":                     nlu.IntentGreeting,
		"在吗？":                    nlu.IntentGreeting,
		"hi":                     nlu.IntentGreeting,
		"Hi!":                    nlu.IntentGreeting,
		"hey":                    nlu.IntentGreeting,
		"谢谢":                     nlu.IntentThanks,
		"thanks!":                nlu.IntentThanks,
		"thank you":              nlu.IntentThanks,
		"再见":                     nlu.IntentGoodbye,
		"bye":                    nlu.IntentGoodbye,
		// Latin phrases match whole words only.
		"hide":                nlu.IntentNone,
		"hid it":              nlu.IntentNone,
		"history":             nlu.IntentNone,
		"heyday":              nlu.IntentNone,
		"byebye":              nlu.IntentNone, // left to the classifier, which knows it
		"thankful":            nlu.IntentNone,
		"reagent please help": nlu.IntentNone,
		// A pleasantry opening a question does not make it small talk.
		"你好，我的订单到哪了":               nlu.IntentNone,
		"hello, where is my order": nlu.IntentNone,
		// Nothing but emoji or punctuation: greeted, not misunderstood.
		"😀😀😀": nlu.IntentGreeting,
		"？？？": nlu.IntentGreeting,
		"👍":   nlu.IntentGreeting,
		"😀订单": nlu.IntentNone,
	} {
		res, err := nlu.Rules{}.Parse(context.Background(), nlu.Input{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if res.Intent != want {
			t.Errorf("%q: got %q, want %q", text, res.Intent, want)
		}
	}
}

func TestStripPleasantries(t *testing.T) {
	for text, want := range map[string]string{
		"谢谢，那运费怎么算":                      "那运费怎么算",
		"谢谢你们 我还想问下能开发票吗":                "我还想问下能开发票吗",
		"你好，退货运费谁承担":                     "退货运费谁承担",
		"您好请问怎么退货":                       "请问怎么退货",
		"在吗 在吗 我要退货":                     "我要退货",
		"好的，预算300-500":                   "预算300-500",
		"运费怎么算 谢谢！":                      "运费怎么算",
		"运费怎么算？谢谢啦~":                     "运费怎么算",
		"hello, where is my order":       "where is my order",
		"Thanks! How do I return shoes?": "How do I return shoes?",
		"where is my order, thanks":      "where is my order",
		"ok so where is it":              "so where is it",
		// Only pleasantries: nothing left.
		"你好":        "",
		"好的谢谢":      "",
		"好的呢":       "",
		"谢谢 哈":      "",
		"thank you": "",
		// Not pleasantries, or not only.
		"谢谢你们的帮助":      "谢谢你们的帮助", // one thanks, not 谢谢你们 + a question
		"hide my card": "hide my card",
		"okay":         "",
		"好评返现怎么领":      "好评返现怎么领",
		"我的订单到哪了":      "我的订单到哪了",
		"":             "",
		"   ":          "",
		"😀😀":           "😀😀",
		"Hİ there":     "Hİ there",
		"\xff谢谢":       "", // a stray byte is no question
	} {
		if got := nlu.StripPleasantries(text); got != want {
			t.Errorf("StripPleasantries(%q): got %q, want %q", text, got, want)
		}
	}
}

func FuzzStripPleasantries(f *testing.F) {
	for _, s := range []string{"谢谢，那运费怎么算", "hello, where is my order", "\xff谢谢", "K谢谢", "好的呢", "ok thanks"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := nlu.StripPleasantries(s)
		if len(got) > len(s) {
			t.Fatalf("StripPleasantries(%q) = %q: longer than its input", s, got)
		}
		if again := nlu.StripPleasantries(got); got != "" && again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
	})
}

func TestCancelsTask(t *testing.T) {
	for text, want := range map[string]bool{
		"取消": true, "算了，不用了": true, "Cancel.": true, "never mind": true, "不要了": true,
		"取消订单怎么操作":           true, // short, and says it: the step only applies while the bot waits for an answer
		"我想取消上周买的那双鞋子的订单可以吗": false,
		"好的": false, "": false, "E202611240017": false,
	} {
		if got := nlu.CancelsTask(text); got != want {
			t.Errorf("CancelsTask(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestBareCancel(t *testing.T) {
	for text, want := range map[string]bool{"取消": true, "取消。": true, "Cancel": true, "取消订单": false, "算了": false, "": false} {
		if got := nlu.BareCancel(text); got != want {
			t.Errorf("BareCancel(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestIsQuestion(t *testing.T) {
	for text, want := range map[string]bool{
		"退款多久到账": true, "你们几点下班": true, "奶粉开封了能退吗": true, "how long does a refund take": true,
		"Is breakfast included?": true, "有没有钢琴课": true,
		"我想报名少儿英语": false, "面霜我想退": false, "I want to return this": false, "E202611240017": false,
	} {
		if got := nlu.IsQuestion(text); got != want {
			t.Errorf("IsQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}
