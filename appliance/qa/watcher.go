package qa

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"kefu/appliance"
)

// WatchStore is what the real-time watcher reads and writes.
type WatchStore interface {
	QARules(ctx context.Context) ([]*appliance.QARule, error)
	Conversation(ctx context.Context, id int64) (*appliance.Conversation, error)
	Messages(ctx context.Context, f appliance.MessageFilter) ([]*appliance.Message, error)
	CreateQAAlert(ctx context.Context, a *appliance.QAAlert) error
}

// WatcherOptions configure a Watcher.
type WatcherOptions struct {
	Store WatchStore
	// Next receives the alerts (the console hub) and, when the watcher is
	// the engine's Notifier, every event unchanged.
	Next   appliance.Notifier
	Logger *slog.Logger
	Now    func() time.Time
	// Queue bounds the agent messages waiting to be checked; when full, a
	// message is skipped (counted in Dropped) rather than slow the sender.
	Queue int
	// RulesTTL is how long loaded rules are trusted before they are re-read;
	// Reload forces a re-read at once.
	RulesTTL time.Duration
}

// Watcher checks agent messages against the QA rules as they are sent. It
// is an appliance.Notifier placed in front of the hub: the engine publishes
// every stored message, the watcher passes the event on at once and checks
// agent messages on its own goroutine, so AgentSend never waits for QA.
type Watcher struct {
	o       WatcherOptions
	queue   chan *appliance.Message
	dropped atomic.Int64
	checked atomic.Int64
	wg      sync.WaitGroup
	stop    chan struct{}
	once    sync.Once

	mu       sync.Mutex
	checker  *Checker
	loadedAt time.Time
}

// NewWatcher returns a watcher; Start runs it.
func NewWatcher(o WatcherOptions) *Watcher {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.RulesTTL <= 0 {
		o.RulesTTL = 30 * time.Second
	}
	return &Watcher{o: o, queue: make(chan *appliance.Message, o.Queue), stop: make(chan struct{})}
}

// Publish implements appliance.Notifier: the event goes on to Next, and
// an agent message is queued for checking.
func (w *Watcher) Publish(e appliance.Event) {
	if w.o.Next != nil {
		w.o.Next.Publish(e)
	}
	w.Observe(e)
}

// Observe queues an agent message for checking without passing the event
// on, for a watcher that hears the engine through an appliance.Relay (Next
// then only receives the alerts).
func (w *Watcher) Observe(e appliance.Event) {
	m := e.Message
	if e.Type != appliance.EventMessage || m == nil || m.Sender != appliance.SenderAgent || m.Kind == appliance.KindNote {
		return
	}
	select {
	case w.queue <- m:
	default:
		w.dropped.Add(1)
	}
}

// Start runs the checking goroutine.
func (w *Watcher) Start() {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			select {
			case <-w.stop:
				return
			case m := <-w.queue:
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if err := w.check(ctx, m); err != nil {
					w.o.Logger.Warn("qa: real-time check failed", slog.Int64("message_id", m.ID), slog.Any("error", err))
				}
				cancel()
				w.checked.Add(1)
			}
		}
	}()
}

// Stop checks what is already queued, then stops.
func (w *Watcher) Stop() {
	w.once.Do(func() {
		for {
			select {
			case m := <-w.queue:
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = w.check(ctx, m)
				cancel()
				continue
			default:
			}
			break
		}
		close(w.stop)
	})
	w.wg.Wait()
}

// Reload makes the next check re-read the rules (after a supervisor edits them).
func (w *Watcher) Reload() {
	w.mu.Lock()
	w.checker = nil
	w.mu.Unlock()
}

// Stats are the watcher's counters: messages checked, and skipped because
// the queue was full.
func (w *Watcher) Stats() (checked, dropped int64) { return w.checked.Load(), w.dropped.Load() }

func (w *Watcher) rules(ctx context.Context) (*Checker, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.checker != nil && w.o.Now().Sub(w.loadedAt) < w.o.RulesTTL {
		return w.checker, nil
	}
	rules, err := w.o.Store.QARules(ctx)
	if err != nil {
		return nil, err
	}
	w.checker, w.loadedAt = NewChecker(rules), w.o.Now()
	return w.checker, nil
}

func (w *Watcher) check(ctx context.Context, m *appliance.Message) error {
	ch, err := w.rules(ctx)
	if err != nil || ch.Empty() {
		return err
	}
	conv, err := w.o.Store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return err
	}
	transcript, err := w.o.Store.Messages(ctx, appliance.MessageFilter{ConversationID: m.ConversationID, Limit: 1000})
	if err != nil {
		return err
	}
	// Only what came before (and the message itself) counts in real time.
	cut := len(transcript)
	for i, x := range transcript {
		if x.ID > m.ID {
			cut = i
			break
		}
	}
	for _, h := range ch.CheckMessage(conv, transcript[:cut], m) {
		a := &appliance.QAAlert{QAHit: *h, CreatedAt: w.o.Now()}
		if err := w.o.Store.CreateQAAlert(ctx, a); err != nil {
			return err
		}
		if w.o.Next != nil {
			w.o.Next.Publish(appliance.Event{Type: appliance.EventAlert, Alert: &appliance.Alert{
				Kind: "qa_rule", ConversationID: conv.ID, CreatedAt: a.CreatedAt,
				Text: fmt.Sprintf("质检 [%s] %s：%s", severityLabel(h.Severity), h.RuleName, h.Excerpt)}})
		}
	}
	return nil
}

func severityLabel(s string) string {
	switch s {
	case appliance.SeverityHigh:
		return "高 high"
	case appliance.SeverityMedium:
		return "中 medium"
	}
	return "低 low"
}
