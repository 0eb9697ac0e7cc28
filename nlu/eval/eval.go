package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/nlu/classifier"
)

// ErrInvalidData is wrapped by errors about malformed input files.
var ErrInvalidData = errors.New("eval: invalid data")

// ReadJSONL reads one {"text","intent"} object per line. Blank lines are
// skipped; a malformed line is an error naming its number.
func ReadJSONL(r io.Reader) ([]classifier.Example, error) {
	var out []classifier.Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var ex classifier.Example
		if err := json.Unmarshal(b, &ex); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrInvalidData, line, err)
		}
		if strings.TrimSpace(ex.Intent) == "" {
			return nil, fmt.Errorf("%w: line %d: missing \"intent\"", ErrInvalidData, line)
		}
		if !utf8.ValidString(ex.Text) {
			return nil, fmt.Errorf("%w: line %d: text is not UTF-8", ErrInvalidData, line)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: reading line %d: %w", line+1, err)
	}
	return out, nil
}

// ReadFile reads a JSONL file.
func ReadFile(path string) ([]classifier.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	ex, err := ReadJSONL(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ex, nil
}

// Confusion is how often one intent was taken for another.
type Confusion struct {
	Gold      string `json:"gold"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// IntentScore is one intent's precision, recall and F1.
type IntentScore struct {
	Intent    string  `json:"intent"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// Report is the outcome of one evaluation.
type Report struct {
	TrainExamples int     `json:"train_examples"`
	TestExamples  int     `json:"test_examples"`
	Intents       int     `json:"intents"`
	Accuracy      float64 `json:"accuracy"`
	MacroF1       float64 `json:"macro_f1"`
	// Latency of one classification, in microseconds.
	P50us float64 `json:"p50_us"`
	P99us float64 `json:"p99_us"`
	// TrainMS is the training time, calibration included, in milliseconds.
	TrainMS float64 `json:"train_ms"`
	// Confusions are the most frequent errors, most frequent first.
	Confusions []Confusion   `json:"confusions"`
	PerIntent  []IntentScore `json:"per_intent"`
	Unknown    int           `json:"unknown_test_intents,omitempty"` // test examples whose intent the training data lacks
}

// Run trains on train and tests on test.
func Run(ctx context.Context, train, test []classifier.Example, opts classifier.Options) (*Report, error) {
	if len(test) == 0 {
		return nil, fmt.Errorf("%w: the test set is empty", ErrInvalidData)
	}
	m, err := classifier.Train(ctx, train, opts)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, l := range m.Labels() {
		known[l] = true
	}
	r := &Report{TrainExamples: len(train), TestExamples: len(test), Intents: len(known),
		TrainMS: float64(m.TrainTime().Microseconds()) / 1000}
	lat := make([]time.Duration, len(test))
	preds := make([]string, len(test))
	for i, ex := range test {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		start := time.Now()
		p := m.Classify(ex.Text)
		lat[i] = time.Since(start)
		preds[i] = p.Intent
		if !known[ex.Intent] {
			r.Unknown++
		}
	}
	slices.Sort(lat)
	r.P50us = float64(percentile(lat, 0.50).Nanoseconds()) / 1000
	r.P99us = float64(percentile(lat, 0.99).Nanoseconds()) / 1000
	r.score(test, preds)
	return r, nil
}

// RunFiles reads both files and runs the evaluation.
func RunFiles(ctx context.Context, trainPath, testPath string, opts classifier.Options) (*Report, error) {
	train, err := ReadFile(trainPath)
	if err != nil {
		return nil, err
	}
	test, err := ReadFile(testPath)
	if err != nil {
		return nil, err
	}
	return Run(ctx, train, test, opts)
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (r *Report) score(test []classifier.Example, preds []string) {
	tp, fp, fn, support := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	conf := map[[2]string]int{}
	correct := 0
	for i, ex := range test {
		support[ex.Intent]++
		if preds[i] == ex.Intent {
			correct++
			tp[ex.Intent]++
			continue
		}
		fn[ex.Intent]++
		fp[preds[i]]++
		conf[[2]string{ex.Intent, preds[i]}]++
	}
	r.Accuracy = float64(correct) / float64(len(test))
	labels := make([]string, 0, len(support))
	for l := range support {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	var sumF1 float64
	for _, l := range labels {
		s := IntentScore{Intent: l, Support: support[l]}
		if tp[l]+fp[l] > 0 {
			s.Precision = float64(tp[l]) / float64(tp[l]+fp[l])
		}
		s.Recall = float64(tp[l]) / float64(support[l])
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		sumF1 += s.F1
		r.PerIntent = append(r.PerIntent, s)
	}
	r.MacroF1 = sumF1 / float64(len(labels))
	for k, n := range conf {
		r.Confusions = append(r.Confusions, Confusion{Gold: k[0], Predicted: k[1], Count: n})
	}
	slices.SortFunc(r.Confusions, func(a, b Confusion) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Gold+"\x00"+a.Predicted, b.Gold+"\x00"+b.Predicted)
	})
	if len(r.Confusions) > 10 {
		r.Confusions = r.Confusions[:10]
	}
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

// WriteText writes the report as a readable table.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "train examples   %d\n", r.TrainExamples)
	fmt.Fprintf(&b, "test examples    %d (%d intents)\n", r.TestExamples, r.Intents)
	if r.Unknown > 0 {
		fmt.Fprintf(&b, "unknown intents  %d test examples have an intent the training data lacks\n", r.Unknown)
	}
	fmt.Fprintf(&b, "accuracy         %.4f\n", r.Accuracy)
	fmt.Fprintf(&b, "macro-F1         %.4f\n", r.MacroF1)
	fmt.Fprintf(&b, "latency p50      %.1f µs\n", r.P50us)
	fmt.Fprintf(&b, "latency p99      %.1f µs\n", r.P99us)
	fmt.Fprintf(&b, "train time       %.0f ms\n", r.TrainMS)
	if len(r.Confusions) > 0 {
		b.WriteString("\nconfusion hot spots (gold → predicted)\n")
		for _, c := range r.Confusions {
			fmt.Fprintf(&b, "  %4d  %s → %s\n", c.Count, c.Gold, c.Predicted)
		}
	}
	worst := slices.Clone(r.PerIntent)
	slices.SortStableFunc(worst, func(a, b IntentScore) int {
		switch {
		case a.F1 < b.F1:
			return -1
		case a.F1 > b.F1:
			return 1
		}
		return 0
	})
	if len(worst) > 10 {
		worst = worst[:10]
	}
	if len(worst) > 0 {
		b.WriteString("\nweakest intents        precision  recall     F1  support\n")
		for _, s := range worst {
			fmt.Fprintf(&b, "  %-20s  %8.3f  %6.3f  %5.3f  %7d\n", trunc(s.Intent, 20), s.Precision, s.Recall, s.F1, s.Support)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func trunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
