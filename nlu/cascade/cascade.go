package cascade

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/nlu"
	"kefu/nlu/classifier"
	"kefu/nlu/entity"
	"kefu/nlu/ollama"
	"kefu/nlu/sentiment"
)

// LLM is what the cascade needs from the LLM engine; *ollama.Engine has it.
type LLM interface {
	Understand(ctx context.Context, t *ollama.Task, r ollama.Request) (ollama.Verdict, error)
}

// Degradation reasons recorded in Trace.Degraded besides the ollama.Code* ones.
const (
	DegradedNoLLM = "ollama_not_configured" // the local engine was unsure and there is no LLM to ask
)

// OutcomeAnswer is the dialogue step's outcome when the message was only the
// answer to the question the bot had asked.
const OutcomeAnswer = "answer"

// OutcomeFollowUp is the dialogue step's outcome when the message asked the
// last question again about something else ("那面霜呢?").
const OutcomeFollowUp = "follow_up"

// OutcomeBareAnswer is the rules step's outcome for a bare 提交/确认/是的,
// or a bare number that is no entity: nothing asked for, out of scope.
const OutcomeBareAnswer = "bare_answer"

// OutcomeOutOfContext is the LLM step's outcome (and the degradation
// recorded) when it named an intent that only follows another while the
// conversation was elsewhere: the local engine's fitting guess is used.
const OutcomeOutOfContext = "out_of_context"

// OutcomeStripped is the rules step's outcome when the message opened or
// closed with pleasantries the engines did not see ("你好，…", "…谢谢").
const OutcomeStripped = "stripped_pleasantries"

// builtin reports whether intent is a built-in intent the rules also know.
func builtin(intent string) bool {
	switch intent {
	case nlu.IntentHandoff, nlu.IntentGreeting, nlu.IntentThanks, nlu.IntentGoodbye:
		return true
	}
	return false
}

// Config configures the engine.
type Config struct {
	Catalog *nlu.Catalog // required
	// LLM decides when the local engine is unsure; nil means local only.
	LLM LLM
	// Threshold is the calibrated local confidence at or above which the
	// local answer is taken without asking the LLM; 0 means 0.55.
	Threshold float64
	// Classifier tunes the local engine; the zero value is the default.
	Classifier classifier.Options
	// OrderPatterns and TrackingPatterns override the entity extractor's
	// defaults (see entity.Config).
	OrderPatterns, TrackingPatterns []string
	// Examples is how many nearest catalog examples the LLM prompt shows; 0 means 6.
	Examples int
	// IdleTimeout is the dialogue state's idle expiry for Track; 0 means nlu.DefaultIdleTimeout.
	IdleTimeout time.Duration
	// FocusTimeout keeps an expired task's focus; 0 means nlu.DefaultFocusTimeout.
	FocusTimeout time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
}

// model is everything derived from one catalog version.
type model struct {
	cat     *nlu.Catalog
	clf     *classifier.Model
	ext     *entity.Extractor
	task    *ollama.Task
	version int64
	trained time.Time
}

// Engine is the cascade. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	cur    atomic.Pointer[model]
	reload sync.Mutex // one training at a time
	log    *slog.Logger
	now    func() time.Time
}

// New trains the local engine on cfg.Catalog and returns the cascade.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.55
	}
	if cfg.Examples <= 0 {
		cfg.Examples = 6
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	if err := e.Reload(ctx, cfg.Catalog); err != nil {
		return nil, err
	}
	return e, nil
}

// Reload trains a model for cat and swaps it in when ready. Parse keeps
// using the previous model meanwhile; on error the previous model stays.
func (e *Engine) Reload(ctx context.Context, cat *nlu.Catalog) error {
	if cat == nil {
		return errors.New("cascade: a catalog is required")
	}
	e.reload.Lock()
	defer e.reload.Unlock()
	examples := cat.Examples()
	train := make([]classifier.Example, len(examples))
	for i, ex := range examples {
		train[i] = classifier.Example{Text: ex.Text, Intent: ex.Intent}
	}
	for _, text := range cat.OutOfScope.All() {
		train = append(train, classifier.Example{Text: text, Intent: classifier.Reject})
	}
	clf, err := classifier.Train(ctx, train, e.cfg.Classifier)
	if err != nil {
		return fmt.Errorf("cascade: training on catalog %q: %w", cat.Name, err)
	}
	ext, err := entity.New(entity.Config{Terms: cat.Terms, OrderPatterns: e.cfg.OrderPatterns, TrackingPatterns: e.cfg.TrackingPatterns})
	if err != nil {
		return fmt.Errorf("cascade: %w", err)
	}
	task, err := ollama.NewTask(cat)
	if err != nil {
		return fmt.Errorf("cascade: %w", err)
	}
	var version int64 = 1
	if old := e.cur.Load(); old != nil {
		version = old.version + 1
	}
	e.cur.Store(&model{cat: cat, clf: clf, ext: ext, task: task, version: version, trained: e.now()})
	e.log.Info("nlu model ready", slog.String("catalog", cat.Name), slog.Int64("version", version),
		slog.Int("examples", len(train)), slog.Duration("train_time", clf.TrainTime()))
	return nil
}

// Catalog returns the catalog of the model in use.
func (e *Engine) Catalog() *nlu.Catalog { return e.cur.Load().cat }

// Version counts the models trained; it grows by one with each Reload.
func (e *Engine) Version() int64 { return e.cur.Load().version }

// Extract returns the entities in text, as Parse would.
func (e *Engine) Extract(text string) []nlu.Entity { return e.cur.Load().ext.Extract(text, e.now()) }

// Track advances a customer's dialogue state with the catalog in use; see nlu.Track.
func (e *Engine) Track(prev *nlu.State, res nlu.Result, lang string) nlu.Turn {
	return nlu.Track(prev, res, e.Catalog(), e.now(), lang, nlu.TrackConfig{IdleTimeout: e.cfg.IdleTimeout, FocusTimeout: e.cfg.FocusTimeout, SwitchConfidence: e.cfg.Threshold})
}

// Parse implements nlu.Engine. It never fails on account of the text or the
// LLM; it returns an error only when ctx is done before the local engine ran.
func (e *Engine) Parse(ctx context.Context, in nlu.Input) (nlu.Result, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return nlu.Result{}, err
	}
	m := e.cur.Load()
	exp := expected(m.cat, in.State)
	res := nlu.Result{Entities: m.ext.ExtractExpecting(in.Text, e.now(), exp), Sentiment: sentiment.Detect(in.Text)}
	done := func(r nlu.Result) (nlu.Result, error) {
		r.Trace.Latency = time.Since(start)
		return r, nil
	}

	// 1. Rules: 转人工 and the pleasantries need no model.
	t := time.Now()
	rules, _ := nlu.Rules{}.Parse(ctx, in)
	if rules.Intent != nlu.IntentNone {
		res.Intent, res.Confidence = rules.Intent, rules.Confidence
		res.Trace = nlu.Trace{Engine: "rules", Candidates: rules.Trace.Candidates,
			Steps: []nlu.Step{{Engine: "rules", Intent: rules.Intent, Confidence: 1, Latency: time.Since(t), Outcome: "accepted"}}}
		return done(res)
	}
	rulesStep := nlu.Step{Engine: "rules", Latency: time.Since(t), Outcome: "no_match"}
	// "谢谢，那运费怎么算" asks about shipping: the engines see the question
	// without the pleasantries around it, so thanks cannot swallow it.
	text := in.Text
	if core := nlu.StripPleasantries(text); core != "" && core != strings.TrimSpace(text) {
		text, rulesStep.Outcome = core, OutcomeStripped
	}

	// 2. The dialogue: a message that only gives what the bot asked for
	// ("下周五吧" after "请问希望礼物哪天送到？") continues the task, whatever it
	// would sound like on its own (a hotel search, a goodbye).
	if in.State != nil && len(exp) > 0 && answersOnly(in.Text, res.Entities, exp) {
		if _, ok := m.cat.Intent(in.State.ActiveIntent); ok {
			res.Intent, res.Confidence = in.State.ActiveIntent, 1
			res.Trace = nlu.Trace{Engine: "dialogue", Candidates: []nlu.Candidate{{Intent: res.Intent, Score: 1}}, Steps: []nlu.Step{rulesStep,
				{Engine: "dialogue", Intent: res.Intent, Confidence: 1, Latency: time.Since(t), Outcome: OutcomeAnswer}}}
			return done(res)
		}
	}

	// "那面霜呢?" right after "我昨天买的鞋子啥时候到?" asks the same about the
	// cream: the task in progress, with what the message names.
	if in.State != nil && e.recent(in.State) {
		in2, ok := m.cat.Intent(in.State.ActiveIntent)
		// After a task with effects ("能催吗?" → 催件), "那面霜呢?" asks the
		// family's lookup again (the cream's order status), never a second
		// 催件 on a hint.
		// Only when it names another thing (a product, a course): "那周五呢?"
		// after a booking is about the booking, and is read on its own.
		family := false
		if ok && !in2.FollowUp {
			in2, ok = m.cat.FollowUpOf(in2.Family)
			family = true
		}
		shaped, follow := followUpShape(in.Text)
		// What the task takes is read as the task would ("那36呢" after a
		// size question: 36 is a size), without the follow-up's own words
		// ("about 36" is no amount).
		if ok && in2.FollowUp && follow {
			if ents := m.ext.ExtractExpecting(shaped, e.now(), slotTypes(in2)); followsUp(shaped, ents, in2) && (!family || namesThing(ents)) {
				res.Entities = ents
				res.Intent, res.Confidence = in2.Name, 1
				res.Trace = nlu.Trace{Engine: "dialogue", Candidates: []nlu.Candidate{{Intent: res.Intent, Score: 1}}, Steps: []nlu.Step{rulesStep,
					{Engine: "dialogue", Intent: res.Intent, Confidence: 1, Latency: time.Since(t), Outcome: OutcomeFollowUp}}}
				return done(res)
			}
		}
	}

	// A bare 提交/确认 with no question open is no request: the local engine
	// would take 提交 for 提现 (flows read these words themselves).
	if nlu.BareAnswer(text) || bareNumber(text, res.Entities) {
		res.Intent, res.OutOfScope = nlu.IntentNone, true
		rulesStep.Outcome = OutcomeBareAnswer
		res.Trace = nlu.Trace{Engine: "rules", Steps: []nlu.Step{rulesStep}}
		return done(res)
	}

	// 3. The local engine.
	t = time.Now()
	pred := e.inContext(m, in.State, m.clf.Classify(text))
	local := nlu.Step{Engine: "local", Intent: pred.Intent, Confidence: pred.Confidence, OutOfScope: pred.OutOfScope, Latency: time.Since(t)}
	cands := make([]nlu.Candidate, len(pred.Candidates))
	for i, c := range pred.Candidates {
		cands[i] = nlu.Candidate{Intent: c.Intent, Score: c.Score}
	}
	res.Trace = nlu.Trace{Engine: "local", Candidates: cands}
	useLocal := func(degraded string) (nlu.Result, error) {
		res.Trace.Engine, res.Trace.Degraded = "local", degraded
		res.Confidence = pred.Confidence
		switch {
		case pred.OutOfScope:
			res.Intent, res.OutOfScope = nlu.IntentNone, true
		case builtin(pred.Intent) && pred.Confidence < e.cfg.Threshold:
			// A guessed pleasantry or hand-off would swallow the message (a
			// budget taken for a goodbye): only a confident one counts.
			// Otherwise nothing was recognised, and the knowledge base gets
			// the question; the guess stays in the trace.
			res.Intent, res.Confidence = nlu.IntentNone, 0
		default:
			res.Intent = pred.Intent
		}
		return done(res)
	}
	if !pred.OutOfScope && pred.Confidence >= e.cfg.Threshold {
		local.Outcome = "accepted"
		res.Trace.Steps = []nlu.Step{rulesStep, local}
		return useLocal("")
	}
	local.Outcome = "unsure"
	res.Trace.Steps = []nlu.Step{rulesStep, local}
	if e.cfg.LLM == nil {
		return useLocal(DegradedNoLLM)
	}

	// 4. The LLM decides.
	req := ollama.Request{Text: in.Text, Lang: in.Lang, Candidates: cands}
	if in.State != nil {
		req.ActiveIntent = in.State.ActiveIntent
	}
	for _, n := range m.clf.Nearest(text, e.cfg.Examples) {
		req.Examples = append(req.Examples, nlu.Example{Text: n.Text, Intent: n.Intent})
	}
	t = time.Now()
	v, err := e.cfg.LLM.Understand(ctx, m.task, req)
	llm := nlu.Step{Engine: "ollama", Latency: time.Since(t)}
	if err != nil {
		code := ollama.ErrorCode(err)
		if code == "" {
			code = ollama.CodeUnavailable
			if errors.Is(err, context.DeadlineExceeded) {
				code = ollama.CodeTimeout
			}
		}
		llm.Outcome = code
		res.Trace.Steps = append(res.Trace.Steps, llm)
		e.log.Warn("nlu degraded to the local engine", slog.String("reason", code), slog.Any("error", err))
		return useLocal(code)
	}
	if in2, ok := m.cat.Intent(v.Intent); ok && !v.OutOfScope && !in2.Follows(e.active(in.State)) {
		// The LLM named an intent that only follows another, out of place.
		llm.Intent, llm.Outcome = v.Intent, OutcomeOutOfContext
		res.Trace.Steps = append(res.Trace.Steps, llm)
		return useLocal(OutcomeOutOfContext)
	}
	llm.Intent, llm.Confidence, llm.OutOfScope, llm.Outcome = v.Intent, v.Confidence, v.OutOfScope, "accepted"
	res.Trace.Steps = append(res.Trace.Steps, llm)
	res.Trace.Engine = "ollama"
	res.Intent, res.Confidence, res.OutOfScope = v.Intent, v.Confidence, v.OutOfScope
	res.Slots = e.normalizeSlots(m, v)
	return done(res)
}

// expected lists the entity types of the questions the bot has open for the
// customer: the next message is likely the answer.
func expected(cat *nlu.Catalog, st *nlu.State) []string {
	if st == nil || len(st.Missing) == 0 {
		return nil
	}
	in, ok := cat.Intent(st.ActiveIntent)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range in.Slots {
		if slices.Contains(st.Missing, s.Name) {
			out = append(out, s.Entity)
		}
	}
	return out
}

// fillers are words around an answer that add nothing: "下周五吧", "就300".
const fillers = "吧呢啊呀哦噢嗯啦哈的了就是约大概左右差不多好行"

// bareNumber reports whether text is only digits (and punctuation) that are
// no entity: "35" with no size asked for, a code read off a screen. The
// classifier would take it for the nearest intent (goodbye, for 88); 88 and
// 886, which say goodbye, stay with it.
func bareNumber(text string, es []nlu.Entity) bool {
	t := strings.TrimSpace(text)
	if t == "" || len(es) > 0 || t == "88" || t == "886" {
		return false
	}
	digits := false
	for _, r := range t {
		switch {
		case unicode.IsDigit(r):
			digits = true
		case unicode.IsLetter(r):
			return false
		}
	}
	return digits
}

// slotTypes lists the entity types an intent's slots take.
func slotTypes(in *nlu.Intent) []string {
	out := make([]string, len(in.Slots))
	for i, s := range in.Slots {
		out[i] = s.Entity
	}
	return out
}

// active is the conversation's current task, or "" when there is none or
// it has gone idle.
func (e *Engine) active(st *nlu.State) string {
	if st == nil || !e.recent(st) {
		return ""
	}
	return st.ActiveIntent
}

// inContext replaces a guess at an intent that only follows another (see
// nlu.Intent.After) when the conversation is elsewhere: the best candidate
// that fits is taken, with its own probability.
func (e *Engine) inContext(m *model, st *nlu.State, p classifier.Prediction) classifier.Prediction {
	fits := func(name string) bool {
		in, ok := m.cat.Intent(name)
		return !ok || in.Follows(e.active(st))
	}
	if fits(p.Intent) {
		return p
	}
	var kept []classifier.Candidate
	for _, c := range p.Candidates {
		if fits(c.Intent) {
			kept = append(kept, c)
		}
	}
	p.Candidates = kept
	if len(kept) == 0 {
		p.Intent, p.Confidence, p.OutOfScope = "", 0, true
		return p
	}
	p.Intent, p.Confidence = kept[0].Intent, kept[0].Score
	return p
}

// thingTypes are the entity types that name what a question is about, as
// opposed to its particulars (a date, an amount, a size).
var thingTypes = []string{"product", "course", "order_no", "tracking_no", "place"}

// namesThing reports whether the entities name a thing of thingTypes.
func namesThing(es []nlu.Entity) bool {
	for _, e := range es {
		if slices.Contains(thingTypes, e.Type) {
			return true
		}
	}
	return false
}

// recent reports whether the state's task is still current (not idle past
// the timeout that Track would expire it at).
func (e *Engine) recent(st *nlu.State) bool {
	idle := e.cfg.IdleTimeout
	if idle == 0 {
		idle = nlu.DefaultIdleTimeout
	}
	return st.ActiveIntent != "" && (idle < 0 || e.now().Sub(st.UpdatedAt) <= idle)
}

// followUpEn opens an English follow-up: "what about the cream?".
var followUpEn = []string{"what about ", "how about ", "and "}

// followUpShape returns text with the words that make it a follow-up
// blanked (same byte offsets: "what about the " in "what about the face
// cream?"), or false when it is not shaped as one: a short "(那)X呢?" or
// "what about X?".
func followUpShape(text string) (string, bool) {
	t := strings.TrimRight(strings.TrimSpace(text), "?？。.!！ ")
	if strings.HasSuffix(t, "呢") {
		return text, true
	}
	lower := strings.ToLower(text)
	for _, p := range followUpEn {
		at := strings.Index(lower, p)
		if at < 0 || strings.TrimSpace(lower[:at]) != "" {
			continue
		}
		n := at + len(p)
		for _, a := range []string{"the ", "my ", "your ", "a ", "size "} {
			if strings.HasPrefix(lower[n:], a) {
				n += len(a)
				break
			}
		}
		return strings.Repeat(" ", n) + text[n:], true
	}
	return "", false
}

// followsUp reports whether shaped (a follow-up's text, from
// followUpShape) names what fills one of the intent's slots, and little
// else: another product, another day, another size.
func followsUp(shaped string, es []nlu.Entity, in *nlu.Intent) bool {
	return covers(shaped, es, slotTypes(in), "那么还有个这")
}

// answersOnly reports whether text is essentially the answer to the open
// questions: entities of the expected types make up most of what it says.
func answersOnly(text string, es []nlu.Entity, expect []string) bool {
	return covers(text, es, expect, "")
}

// covers reports whether entities of the given types make up most of what
// text says, besides fillers and the extra runes given.
func covers(text string, es []nlu.Entity, expect []string, extra string) bool {
	covered, rest := 0, 0
	inAnswer := make([]bool, len(text))
	for _, e := range es {
		for _, want := range expect {
			if nlu.Accepts(want, e.Type) && e.Start >= 0 && e.End <= len(text) {
				for i := e.Start; i < e.End; i++ {
					inAnswer[i] = true
				}
				covered += utf8.RuneCountInString(text[e.Start:e.End])
				break
			}
		}
	}
	if covered == 0 {
		return false
	}
	for i, r := range text {
		if !inAnswer[i] && (unicode.IsLetter(r) || unicode.IsDigit(r)) && !strings.ContainsRune(fillers, r) && !strings.ContainsRune(extra, r) {
			rest++
		}
	}
	return float64(covered) >= 0.6*float64(covered+rest)
}

// normalizeSlots reads the LLM's slot values with the local extractor, so a
// slot holds the same normalized value whichever engine filled it ("明天" →
// 2026-11-25). Values the extractor cannot read are dropped, not trusted.
func (e *Engine) normalizeSlots(m *model, v ollama.Verdict) map[string]string {
	in, ok := m.cat.Intent(v.Intent)
	if !ok || len(v.Slots) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, s := range in.Slots {
		raw, ok := v.Slots[s.Name]
		if !ok {
			continue
		}
		for _, ent := range m.ext.Extract(raw, e.now()) {
			if nlu.Accepts(s.Entity, ent.Type) {
				out[s.Name] = ent.Value
				break
			}
		}
		if _, ok := out[s.Name]; !ok {
			e.log.Info("llm slot value not understood; dropped", slog.String("intent", in.Name), slog.String("slot", s.Name))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
