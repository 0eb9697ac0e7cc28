package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"kefu/nlu/classifier"
)

func TestReadJSONL(t *testing.T) {
	ex, err := ReadJSONL(strings.NewReader("{\"text\":\"我的快递到哪了\",\"intent\":\"order_status\"}\n\n{\"text\":\"退货\",\"intent\":\"return\"}\n"))
	if err != nil || len(ex) != 2 || ex[1].Intent != "return" {
		t.Fatalf("got %v, %v; want 2 examples", ex, err)
	}
	for _, bad := range []string{"{not json}\n", "{\"text\":\"x\"}\n", "{\"text\":\"a\",\"intent\":\"b\"}\n[1,2]\n"} {
		if _, err := ReadJSONL(strings.NewReader(bad)); !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: got %v, want ErrInvalidData naming the line", bad, err)
		}
	}
	if _, err := ReadFile("/nonexistent/train.jsonl"); err == nil {
		t.Errorf("missing file: got nil error")
	}
}

func toyData() (train, test []classifier.Example) {
	add := func(dst *[]classifier.Example, intent string, texts ...string) {
		for _, s := range texts {
			*dst = append(*dst, classifier.Example{Text: s, Intent: intent})
		}
	}
	add(&train, "order_status", "我的快递到哪了", "订单到哪里了", "查一下物流", "包裹什么时候到", "物流怎么不动了", "where is my order")
	add(&train, "refund", "退款状态怎么样", "钱什么时候退回来", "退款怎么还没到账", "查一下退款进度", "refund not received", "退款多久能到")
	add(&train, "greeting", "你好", "在吗", "哈喽", "您好啊", "hello", "hi there")
	add(&test, "order_status", "我的包裹到哪了", "物流信息查一下")
	add(&test, "refund", "退款什么时候到账", "钱怎么还没退")
	add(&test, "greeting", "你好呀")
	return train, test
}

func TestRunAndReport(t *testing.T) {
	train, test := toyData()
	r, err := Run(context.Background(), train, test, classifier.Options{Folds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy < 0.8 || r.MacroF1 <= 0 || r.P50us <= 0 || r.P99us < r.P50us || r.TrainMS <= 0 {
		t.Errorf("got %+v, want accuracy ≥ 0.8 and positive latency and train time", r)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(buf.Bytes(), &obj); err != nil {
		t.Fatalf("WriteJSON wrote %q: %v", buf.String(), err)
	}
	for _, k := range []string{"accuracy", "macro_f1", "p50_us", "p99_us", "train_ms"} {
		if _, ok := obj[k].(float64); !ok {
			t.Errorf("JSON lacks the number %q: %s", k, buf.String())
		}
	}
	if strings.Count(strings.TrimSpace(buf.String()), "\n") != 0 {
		t.Errorf("JSON output is not one line")
	}
	buf.Reset()
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"accuracy", "macro-F1", "latency p50", "train time"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	if _, err := Run(context.Background(), train, nil, classifier.Options{}); err == nil {
		t.Errorf("empty test set: got nil error")
	}
}

func TestConfusionsCounted(t *testing.T) {
	r := &Report{}
	test := []classifier.Example{{Text: "a", Intent: "x"}, {Text: "b", Intent: "x"}, {Text: "c", Intent: "y"}, {Text: "d", Intent: "y"}}
	r.score(test, []string{"x", "y", "x", "y"})
	if r.Accuracy != 0.5 || len(r.Confusions) != 2 || r.Confusions[0].Count != 1 {
		t.Errorf("got accuracy %v confusions %+v, want 0.5 and two single confusions", r.Accuracy, r.Confusions)
	}
	if r.MacroF1 != 0.5 {
		t.Errorf("macro-F1: got %v, want 0.5", r.MacroF1)
	}
}

func TestCrossValidate(t *testing.T) {
	train, _ := toyData()
	acc, err := CrossValidate(context.Background(), train, 3, classifier.Options{Folds: 1})
	if err != nil || acc < 0.5 {
		t.Errorf("got %v, %v; want accuracy ≥ 0.5", acc, err)
	}
	if _, err := CrossValidate(context.Background(), train[:2], 3, classifier.Options{}); err == nil {
		t.Errorf("too few examples: got nil error")
	}
}
