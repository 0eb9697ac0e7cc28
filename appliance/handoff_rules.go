package appliance

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"time"

	"kefu/nlu"
)

// Hand-off triggers beyond an explicit request and the intent's policy
// (StepHandoffRequest): a customer who is angry or complains, a VIP, and a
// bot that was unsure twice in a row. Around the hand-off: which skill group
// and priority it gets, what happens outside working hours (the customer may
// leave a message, which becomes a ticket), and the satisfaction survey
// (CSAT) after an agent closes the conversation.

// Policies these steps settle on.
const (
	PolicyAfterHours  = "after_hours"  // no human on duty: told so, invited to leave a message
	PolicyMessageLeft = "message_left" // the message left after hours became a ticket
	PolicyCSAT        = "csat"         // a satisfaction score was recorded (csat.go)
)

// Hand-off reasons set by these rules.
const (
	ReasonComplaint         = "complaint"
	ReasonNegativeSentiment = "negative_sentiment"
	ReasonLowConfidence     = "low_confidence"
	ReasonVIP               = "vip"
)

// HandoffFlags is what the hand-off policy remembers about one conversation
// between turns.
type HandoffFlags struct {
	// UnsureTurns counts consecutive turns the bot could not serve well.
	UnsureTurns int
	// Awaiting is "message" after the customer was invited to leave a
	// message outside working hours: their next message becomes a ticket.
	Awaiting string
}

// AwaitingMessage is HandoffFlags.Awaiting while a left message is expected.
const AwaitingMessage = "message"

// HandoffFlagStore keeps HandoffFlags per conversation.
type HandoffFlagStore interface {
	// HandoffFlags returns the conversation's flags, zero when none.
	HandoffFlags(ctx context.Context, conversationID int64) (HandoffFlags, error)
	SaveHandoffFlags(ctx context.Context, conversationID int64, f HandoffFlags) error
}

// HandoffConfig tunes the hand-off rules. A nil config keeps only the
// explicit request and the intent's policy.
type HandoffConfig struct {
	Policy *RoutingPolicy
	// UnsureTurns hands off after this many consecutive unsure turns (0
	// disables). A turn is unsure when the bot did not know, answered from
	// knowledge below MinAnswerConfidence, or acted on an intent below
	// MinIntentConfidence.
	UnsureTurns         int
	MinAnswerConfidence float64
	MinIntentConfidence float64
	// NegativeSentiment hands off at or above this negative score (0
	// disables); Complaint hands off on complaint words (投诉, 12315).
	NegativeSentiment float64
	Complaint         bool
	// VIPDirect hands VIP customers to a human at their first question.
	VIPDirect bool
	// CSAT asks for a score when an agent closes a conversation; a score is
	// accepted within CSATWindow of the close.
	CSAT       bool
	CSATWindow time.Duration

	Flags HandoffFlagStore
	CSATs CSATStore
}

func (h *HandoffConfig) policy() *RoutingPolicy {
	if h == nil || h.Policy == nil {
		return &RoutingPolicy{}
	}
	return h.Policy
}

func (h *HandoffConfig) csatWindow() time.Duration {
	if h.CSATWindow <= 0 {
		return 24 * time.Hour
	}
	return h.CSATWindow
}

// Texts of these rules, registered with the bot texts (zh-CN, English).
var handoffTexts = map[string][2]string{
	"handoff_complaint": {"非常抱歉给您带来不好的体验，正在为您转接人工客服，请稍候…", "We're sorry for the trouble. Connecting you to a human agent, please wait…"},
	"handoff_unsure":    {"这个问题我可能回答不好，正在为您转接人工客服，请稍候…", "I may not answer this well. Connecting you to a human agent, please wait…"},
	"handoff_vip":       {"尊敬的会员您好，正在为您优先转接专属人工客服，请稍候…", "Dear member, connecting you to a dedicated agent right away…"},
	"after_hours_leave": {"现在是非工作时间（人工服务时间：{hours}）。您可以直接留言，我们会在上班后第一时间处理。", "Our agents are off duty now (service hours: {hours}). Leave us a message and we'll get back to you first thing."},
	"after_hours_queue": {"现在是非工作时间（人工服务时间：{hours}），人工客服上班后会第一时间回复您。", "Our agents are off duty now (service hours: {hours}); they will reply as soon as they are back."},
	"message_left":      {"您的留言已记录（工单 {ticket}），我们会在工作时间内尽快联系您。", "Your message is recorded (ticket {ticket}); we'll contact you during service hours."},
	"csat_request":      {"本次服务已结束，请您为客服的服务打分：回复 1-5（5 分为非常满意）。", "This conversation has ended. Please rate our service: reply 1-5 (5 is very satisfied)."},
	"csat_thanks":       {"感谢您的评价！", "Thank you for your feedback!"},
	"transfer":          {"正在为您转接其他客服，请稍候…", "Transferring you to another agent, please wait…"},
}

func init() { maps.Copy(defaultTexts, handoffTexts) }

// turnFlags are a conversation's hand-off flags as loaded for a turn and as
// the turn leaves them; the engine saves them when they changed.
type turnFlags struct{ loaded, next HandoffFlags }

// handoffFlags loads the conversation's hand-off flags once per turn.
func (t *Turn) handoffFlags(ctx context.Context, e *Engine) (*turnFlags, error) {
	if t.flags != nil {
		return t.flags, nil
	}
	var f HandoffFlags
	if e.handoff != nil && e.handoff.Flags != nil {
		var err error
		if f, err = e.handoff.Flags.HandoffFlags(ctx, t.Conversation.ID); err != nil {
			return nil, err
		}
	}
	t.flags = &turnFlags{loaded: f, next: f}
	return t.flags, nil
}

// StepLeaveMessage turns the message a customer leaves after hours into a
// ticket, opened in the turn's transaction. Once humans are back on duty the
// flag is dropped and the message goes through the policy as usual.
var StepLeaveMessage = StepFunc{"leave_message", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	h := e.handoff
	if h == nil || e.tickets == nil || t.Message.Kind != KindText {
		return false, nil
	}
	f, err := t.handoffFlags(ctx, e)
	if err != nil || f.next.Awaiting != AwaitingMessage {
		return false, err
	}
	f.next.Awaiting = ""
	if h.policy().Hours.Open(e.now()) {
		return false, nil
	}
	msg := t.Message
	tk := &Ticket{Type: "message", Title: "非工作时间留言", Body: msg.Text, CreatedBy: "bot",
		Data: map[string]any{"message_id": msg.ID}}
	t.Tickets = append(t.Tickets, tk)
	t.Settle(PolicyMessageLeft)
	t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("message_left", t.Lang)})
	i := len(t.Replies) - 1
	// The ticket's number is known once the engine has opened it.
	t.Effects = append(t.Effects, func(context.Context) error {
		if tk.ID == 0 { // refused by the ticket desk: no number to give
			t.Replies[i].Text = strings.ReplaceAll(t.Replies[i].Text, "（工单 {ticket}）", "")
			t.Replies[i].Text = strings.ReplaceAll(t.Replies[i].Text, " (ticket {ticket})", "")
			return nil
		}
		ref := "#" + strconv.FormatInt(tk.ID, 10)
		t.Replies[i].Text = strings.ReplaceAll(t.Replies[i].Text, "{ticket}", ref)
		t.Replies[i].Payload = map[string]any{"ticket_id": tk.ID}
		t.Decision.Notes = append(t.Decision.Notes, "ticket:"+strconv.FormatInt(tk.ID, 10))
		return nil
	})
	return true, nil
}}

// StepSentimentHandoff hands an angry or complaining customer to a human.
var StepSentimentHandoff = StepFunc{"sentiment_handoff", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	h := e.handoff
	if h == nil {
		return false, nil
	}
	s := t.NLU.Sentiment
	reason := ""
	switch {
	case h.Complaint && s.Complaint:
		reason = ReasonComplaint
	case h.NegativeSentiment > 0 && s.Negative >= h.NegativeSentiment:
		reason = ReasonNegativeSentiment
	default:
		return false, nil
	}
	t.Settle(PolicyHandoff)
	t.Handoff = &HandoffRequest{Reason: reason}
	t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("handoff_complaint", t.Lang)})
	return true, nil
}}

// StepVIPHandoff hands VIP customers to a human at their first question
// (greetings and thanks are still answered by the bot).
var StepVIPHandoff = StepFunc{"vip_handoff", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	h := e.handoff
	if h == nil || !h.VIPDirect {
		return false, nil
	}
	st := h.policy().VIP.Check(ctx, t.Customer)
	if !st.VIP {
		return false, nil
	}
	t.Settle(PolicyHandoff)
	t.Handoff = &HandoffRequest{Reason: ReasonVIP}
	t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("handoff_vip", t.Lang)})
	return true, nil
}}

// unsure reports whether the bot could not serve the turn well, and
// confident whether it clearly did; small talk and events are neither.
func (h *HandoffConfig) judge(t *Turn) (unsure, confident bool) {
	switch t.Decision.Policy {
	case PolicyDontKnow:
		return true, false
	case PolicyAnswer:
		if k := t.Decision.Knowledge; k != nil && k.Confidence < h.MinAnswerConfidence {
			return true, false
		}
		if t.NLU.Intent != nlu.IntentNone && t.NLU.Confidence < h.MinIntentConfidence {
			return true, false
		}
		return false, true
	case PolicyAskSlot, PolicyAction:
		if t.NLU.Intent != nlu.IntentNone && t.NLU.Confidence < h.MinIntentConfidence {
			return true, false
		}
		return false, true
	}
	return false, false
}

// afterPolicy runs once the steps have settled a turn: it keeps the unsure
// streak (and hands off when it is long enough), then gives a hand-off its
// skill group and priority, or turns it into an after-hours notice.
func (e *Engine) afterPolicy(ctx context.Context, t *Turn) error {
	h := e.handoff
	if h == nil {
		return nil
	}
	f, err := t.handoffFlags(ctx, e)
	if err != nil {
		return err
	}
	next := &f.next
	if h.UnsureTurns > 0 && h.Flags != nil && t.Handoff == nil {
		unsure, confident := h.judge(t)
		switch {
		case unsure:
			next.UnsureTurns++
		case confident:
			next.UnsureTurns = 0
		}
		if unsure && next.UnsureTurns >= h.UnsureTurns {
			// Hand off instead of saying "I don't know" once more.
			if t.Decision.Policy == PolicyDontKnow {
				t.Replies = nil
			}
			t.Settle(PolicyHandoff)
			t.Handoff = &HandoffRequest{Reason: ReasonLowConfidence}
			t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("handoff_unsure", t.Lang)})
		}
	}
	if t.Handoff != nil {
		next.UnsureTurns = 0
		if err := e.prepareHandoff(ctx, t, next); err != nil {
			return err
		}
	}
	if f.next != f.loaded && h.Flags != nil {
		convID, save := t.Conversation.ID, f.next
		t.Effects = append(t.Effects, func(ctx context.Context) error { return h.Flags.SaveHandoffFlags(ctx, convID, save) })
	}
	return nil
}

// prepareHandoff gives a hand-off its skill group and priority; outside
// working hours it tells the customer and, when tickets are available,
// invites a message instead of queueing.
func (e *Engine) prepareHandoff(ctx context.Context, t *Turn, next *HandoffFlags) error {
	h := e.handoff
	pol := h.policy()
	req := t.Handoff
	if req.SkillGroup == "" {
		// The intent of this message, else the one the customer was on
		// before asking for a person.
		intent, family := t.State.ActiveIntent, ""
		if in := t.Dialogue.Intent; in != nil && !builtinIntent(in.Name) {
			intent, family = in.Name, in.Family
		}
		req.SkillGroup = pol.GroupFor(intent, family)
	}
	if st := pol.VIP.Check(ctx, t.Customer); st.VIP {
		req.Priority = max(req.Priority, pol.VIPPriority)
		t.Decision.Notes = append(t.Decision.Notes, "vip:"+st.Reason)
	}
	if req.Reason == ReasonComplaint || req.Reason == ReasonNegativeSentiment {
		req.Priority += pol.ComplaintPriority
	}
	if pol.Hours.Open(e.now()) {
		return nil
	}
	// Nobody is on duty: the customer is told rather than left waiting.
	kept := t.Replies[:0]
	for _, r := range t.Replies {
		if r.Sender != SenderSystem {
			kept = append(kept, r)
		}
	}
	t.Replies = kept
	t.Decision.Notes = append(t.Decision.Notes, "after_hours:"+req.Reason)
	key := "after_hours_queue"
	if e.tickets != nil {
		key = "after_hours_leave"
		t.Handoff = nil
		t.Settle(PolicyAfterHours)
		next.Awaiting = AwaitingMessage
	}
	t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: strings.ReplaceAll(e.texts.Get(key, t.Lang), "{hours}", pol.Hours.String())})
	return nil
}
