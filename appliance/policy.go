package appliance

import (
	"context"
	"encoding/json"
	"strings"

	"kefu/knowledge"
	"kefu/nlu"
)

// Turn is one inbound message on its way through the policy: what was
// understood, the dialogue state before and after, and what the bot will do.
// Steps read it and fill in Replies, Handoff and Decision.
type Turn struct {
	Conversation *Conversation
	Message      *Message
	Customer     *Customer
	Lang         string
	// State is the customer's dialogue state before this message.
	State *nlu.State
	// NLU is what the NLU understood; Dialogue is the tracked dialogue
	// (active intent, filled and missing slots, next state).
	NLU      nlu.Result
	Dialogue nlu.Turn
	// Context holds channel facts stored with the message (order number
	// from a mini program, the WeChat event, ...).
	Context map[string]string

	Decision *Decision
	Replies  []Reply
	// Handoff, when set, moves a bot conversation to the human queue.
	Handoff *HandoffRequest
	// Audit entries recorded with the turn (verification steps, ...).
	Audit []*AuditEntry
	// Tickets the turn opens (a return, a refund); the engine creates them
	// in the turn's transaction.
	Tickets []*Ticket

	// Effects are further writes the turn needs (a hand-off counter, a
	// satisfaction score); the engine runs them in the turn's transaction.
	Effects []func(ctx context.Context) error

	flags *turnFlags // hand-off flags, loaded once per turn (handoff_rules.go)
}

// Reply is a message the bot (or the system) sends for a turn.
type Reply struct {
	Sender  Sender // SenderBot (default) or SenderSystem
	Text    string
	Payload map[string]any // citations, images, ...
}

// HandoffRequest asks for a human.
type HandoffRequest struct {
	Reason     string // customer_request, intent_policy, complaint, low_confidence, vip, ...
	SkillGroup string
	Priority   int
}

// Say adds a bot reply.
func (t *Turn) Say(text string) { t.Replies = append(t.Replies, Reply{Sender: SenderBot, Text: text}) }

// Settle records the policy that handled the turn.
func (t *Turn) Settle(policy string) { t.Decision.Policy = policy }

// Step is one stage of the bot's policy. Steps run in order; the first that
// reports done settles the turn. Steps must not write to storage themselves:
// the engine stores the turn's replies, state, decision and hand-off
// together, in one transaction.
type Step interface {
	Name() string
	Run(ctx context.Context, e *Engine, t *Turn) (done bool, err error)
}

// StepFunc adapts a function to a Step.
type StepFunc struct {
	StepName string
	Fn       func(ctx context.Context, e *Engine, t *Turn) (bool, error)
}

// Name implements Step.
func (s StepFunc) Name() string { return s.StepName }

// Run implements Step.
func (s StepFunc) Run(ctx context.Context, e *Engine, t *Turn) (bool, error) { return s.Fn(ctx, e, t) }

// Tracker turns an NLU result into the next dialogue state; the NLU cascade
// implements it with the deployment's catalog.
type Tracker interface {
	Track(prev *nlu.State, res nlu.Result, lang string) nlu.Turn
}

// DefaultSteps is the policy used when none is configured:
// playbook media (photos a flow waits for) → channel context of events →
// events → survey score → left message → understand → channel context (an
// order passed by a mini program fills the dialogue) → playbook flows in
// progress → real-name verification gate → hand-off requests → anger and
// complaints → small talk → VIP → risk disclosure → personalization →
// playbook bindings (context, actions, tickets, guided flows) → slot filling
// → fulfilment → unserved intents → knowledge. The playbook steps do nothing
// when no Playbooks are configured, the hand-off rules nothing without a
// HandoffConfig.
func DefaultSteps() []Step {
	return []Step{StepPlaybookMedia, StepEventContext, StepEvents, StepCSATReply, StepLeaveMessage, StepUnderstand,
		StepContextSlots, StepPlaybookPending, StepCancelTask, StepVerification, StepHandoffRequest, StepSentimentHandoff, StepSmallTalk,
		StepVIPHandoff, StepDisclosure, StepPersonalize, StepPlaybook, StepAskSlots, StepFulfil, StepUnserved, StepKnowledge}
}

// StepEvents answers platform events (a follow, a customer opening a chat)
// with the greeting, and non-text messages the bot cannot read.
var StepEvents = StepFunc{"events", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	m := t.Message
	if m.Kind == KindEvent {
		switch t.Context["event"] {
		case "subscribe", "user_enter_tempsession", "enter_session":
			t.Settle(PolicyGreeting)
			t.Say(e.texts.Get("greeting", t.Lang))
		default:
			if strings.TrimSpace(m.Text) != "" {
				return false, nil // a menu click standing for a question: answer the question
			}
			t.Settle(PolicyIgnored)
		}
		return true, nil
	}
	if m.Kind != KindText && strings.TrimSpace(m.Text) == "" {
		t.Settle(PolicyUnsupported)
		t.Say(e.texts.Get("unsupported", t.Lang))
		return true, nil
	}
	return false, nil
}}

// StepUnderstand runs the NLU and tracks the dialogue. It never settles.
var StepUnderstand = StepFunc{"understand", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	t.NLU = e.understand(ctx, t.Message, t.Lang, t.State)
	t.Decision.NLU = &t.NLU
	if tr, ok := e.nlu.(Tracker); ok {
		t.Dialogue = tr.Track(t.State, t.NLU, t.Lang)
	} else {
		st := *t.State
		st.ActiveIntent = t.NLU.Intent
		t.Dialogue = nlu.Turn{State: st, Complete: true}
	}
	return false, nil
}}

// StepCancelTask drops the task the bot was asking about when the customer
// says they no longer want it ("请问要退哪个订单？" → "算了"). A flow in
// progress reads these words itself, before; without this step "取消" was
// read as a new request (a hotel cancellation, in a shop).
var StepCancelTask = StepFunc{"cancel_task", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	waiting := t.State != nil && len(t.State.Missing) > 0
	if !waiting && nlu.BareCancel(t.Message.Text) {
		// "取消" with nothing in progress names nothing: the bot asks what,
		// rather than guess (a hotel booking, in a shop).
		t.Decision.Notes = append(t.Decision.Notes, "cancel_what")
		t.Settle(PolicyAskSlot)
		t.Say(e.texts.Get("cancel_what", t.Lang))
		return true, nil
	}
	if !waiting || !nlu.CancelsTask(t.Message.Text) {
		return false, nil
	}
	st := *t.State
	st.ActiveIntent, st.Slots, st.Missing = "", nil, nil
	t.Dialogue = nlu.Turn{State: st}
	t.Decision.Notes = append(t.Decision.Notes, "task_cancelled:"+t.State.ActiveIntent)
	t.Settle(PolicySmallTalk)
	t.Say(e.texts.Get("cancelled", t.Lang))
	return true, nil
}}

// StepHandoffRequest hands off when the customer asks for a person or the
// intent's policy says a human must answer (e.g. 商品破损怎么赔).
var StepHandoffRequest = StepFunc{"handoff_request", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	reason := ""
	switch {
	case t.NLU.Intent == nlu.IntentHandoff:
		reason = "customer_request"
	case t.Dialogue.Intent != nil && (t.Dialogue.Intent.Handoff || t.Dialogue.Intent.Fulfilment.Kind == nlu.FulfilHandoff):
		reason = "intent_policy"
	default:
		return false, nil
	}
	t.Settle(PolicyHandoff)
	t.Handoff = &HandoffRequest{Reason: reason}
	t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("handoff", t.Lang)})
	return true, nil
}}

// StepSmallTalk answers greetings, thanks and goodbyes, unless the message
// answered the question the bot had asked.
var StepSmallTalk = StepFunc{"small_talk", func(_ context.Context, e *Engine, t *Turn) (bool, error) {
	if t.Dialogue.Answered {
		return false, nil
	}
	// "太慢了吧 等了好久了" is no thanks, whatever the classifier guessed: a
	// pleasantry only a model read, in words that show displeasure, is
	// answered as a question ("不客气" to a complaint is the worst reply).
	if t.NLU.Trace.Engine != "rules" && (t.NLU.Sentiment.Negative >= sourSmallTalk || t.NLU.Sentiment.Complaint) {
		return false, nil
	}
	switch t.NLU.Intent {
	case nlu.IntentGreeting:
		t.Settle(PolicyGreeting)
		t.Say(e.texts.Get("greeting", t.Lang))
	case nlu.IntentThanks, nlu.IntentGoodbye:
		t.Settle(PolicySmallTalk)
		t.Say(e.texts.Get(t.NLU.Intent, t.Lang))
	default:
		return false, nil
	}
	return true, nil
}}

// apologize opens the bot's answer with an apology when the customer is
// upset ("太慢了吧 等了好久了", "this is ridiculous"): the order status or the
// policy follows, as asked. A hand-off says sorry in its own words, and an
// answer that already apologizes is left alone.
func (e *Engine) apologize(t *Turn) {
	if t.Handoff != nil || len(t.Replies) == 0 || t.Replies[0].Sender != SenderBot {
		return
	}
	if t.NLU.Sentiment.Negative < upset && !t.NLU.Sentiment.Complaint {
		return
	}
	switch t.Decision.Policy {
	case PolicyAnswer, PolicyAction, PolicyAskSlot, PolicyFlow, PolicyTicket:
	default:
		return
	}
	first := strings.TrimSpace(t.Replies[0].Text)
	if strings.HasPrefix(first, "抱歉") || strings.HasPrefix(first, "非常抱歉") || strings.HasPrefix(strings.ToLower(first), "sorry") {
		return
	}
	sorry := e.texts.Get("apology", t.Lang)
	if t.Lang == "en" {
		sorry += " "
	}
	t.Replies[0].Text = sorry + first
	t.Decision.Notes = append(t.Decision.Notes, "apology")
}

// upset is the negative sentiment at which the bot apologizes first.
const upset = 0.4

// sourSmallTalk is the negative sentiment at which a guessed pleasantry is
// not taken for one.
const sourSmallTalk = 0.3

// StepAskSlots asks for what the active intent still needs:
// "请问入住日期是哪天？预算在多少？".
//
// Two cases are answered from the knowledge base first. A general question
// that names no case of the customer's ("退款多久到账?" with no order) gets
// the curated answer, then the question that would look up their own. A
// message the NLU cannot place while a slot is asked for ("你们几点下班?")
// is answered when the knowledge base knows it; otherwise the slot is asked
// again (an order number in a format nobody configured reads that way too).
var StepAskSlots = StepFunc{"ask_slots", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	d := t.Dialogue
	if d.Intent == nil || d.Complete || len(d.Questions) == 0 {
		return false, nil
	}
	// Only a question: "我想报名少儿英语" asks for the booking, whatever the
	// knowledge base says about courses.
	if !d.Answered && (t.NLU.OutOfScope || t.NLU.Intent == d.Intent.Name) && nlu.IsQuestion(t.Message.Text) {
		ans, err := e.kb.Answer(ctx, knowledge.Query{Text: t.Message.Text, Lang: t.Lang, Channel: t.Message.Channel})
		switch {
		case err != nil:
			e.log.Warn("knowledge unavailable", "error", err, "message_id", t.Message.ID)
			t.Decision.Notes = append(t.Decision.Notes, "knowledge_error")
		case t.NLU.OutOfScope && ans.Kind != knowledge.AnswerNone && strings.TrimSpace(ans.Text) != "":
			t.Decision.Knowledge = &ans
			t.Settle(PolicyAnswer)
			t.Replies = append(t.Replies, knowledgeReply(ans))
			return true, nil
		case !t.NLU.OutOfScope && ans.Kind == knowledge.AnswerFAQ && strings.TrimSpace(ans.Text) != "":
			t.Decision.Knowledge = &ans
			if !e.aboutIntent(ctx, t, d.Intent, ans) {
				// A curated answer about something else than the intent:
				// the NLU's guess was likely wrong ("孩子的课能请假吗" is no
				// booking). The answer is given, and the guessed task dropped
				// so that the next message cannot complete it.
				t.Decision.Notes = append(t.Decision.Notes, "answer_over_intent")
				t.Dialogue.State.ActiveIntent, t.Dialogue.State.Slots, t.Dialogue.State.Missing = "", nil, nil
				t.Settle(PolicyAnswer)
				t.Replies = append(t.Replies, knowledgeReply(ans))
				return true, nil
			}
			// One message: channels that take a single passive reply get
			// both the answer and the question.
			t.Decision.Notes = append(t.Decision.Notes, "general_answer")
			t.Settle(PolicyAskSlot)
			r := knowledgeReply(ans)
			r.Text += "\n" + d.Prompt()
			t.Replies = append(t.Replies, r)
			return true, nil
		}
	}
	t.Settle(PolicyAskSlot)
	t.Say(d.Prompt())
	return true, nil
}}

// aboutIntent reports whether a curated answer is about the task the NLU
// read in the message: its question, read by the NLU, is the same intent
// ("退款多久到账？" is refund_status; "请假了课程能补吗？" is no booking).
func (e *Engine) aboutIntent(ctx context.Context, t *Turn, in *nlu.Intent, ans knowledge.Answer) bool {
	if len(ans.Citations) == 0 || strings.TrimSpace(ans.Citations[0].Title) == "" {
		return false
	}
	r, err := e.nlu.Parse(ctx, nlu.Input{Text: ans.Citations[0].Title, Lang: t.Lang})
	return err == nil && r.Intent == in.Name
}

// knowledgeReply is the bot's reply carrying a knowledge answer and its
// citations.
func knowledgeReply(ans knowledge.Answer) Reply {
	r := Reply{Sender: SenderBot, Text: ans.Text}
	if len(ans.Citations) > 0 {
		r.Payload = map[string]any{"citations": ans.Citations}
	}
	return r
}

// StepFulfil serves a complete intent: from the knowledge base with the
// intent's own query, or through a business action when actions are
// configured. Intents it cannot serve fall through to the knowledge base.
var StepFulfil = StepFunc{"fulfil", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	in := t.Dialogue.Intent
	if in == nil || !t.Dialogue.Complete {
		return false, nil
	}
	switch in.Fulfilment.Kind {
	case nlu.FulfilAction, nlu.FulfilFlow:
		if e.actions == nil || in.Fulfilment.Action == "" {
			return false, nil
		}
		return e.runAction(ctx, t, in.Fulfilment.Action)
	}
	return false, nil
}}

// StepKnowledge answers from the knowledge base — the customer's own words
// first, then the intent's catalog query (售后政策) — or says the bot does
// not know and offers a human. It always settles the turn.
var StepKnowledge = StepFunc{"knowledge", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	in := t.Dialogue.Intent
	if in != nil && t.Dialogue.Answered {
		// The message only answered the bot's question ("下周五吧"): ask the
		// knowledge base about the intent, not about those words.
		q := in.Fulfilment.Query
		if q == "" {
			q = in.Description.Get(t.Lang)
		}
		return answerFromKnowledge(ctx, e, t, q, true)
	}
	// A knowledge intent, or an action that could not run: the customer's
	// words first, then the intent's own query (退款多久到账？).
	if in != nil && in.Fulfilment.Query != "" {
		if done, err := answerFromKnowledge(ctx, e, t, t.Message.Text, false); done || err != nil {
			return done, err
		}
		return answerFromKnowledge(ctx, e, t, in.Fulfilment.Query, true)
	}
	return answerFromKnowledge(ctx, e, t, t.Message.Text, true)
}}

func answerFromKnowledge(ctx context.Context, e *Engine, t *Turn, query string, last bool) (bool, error) {
	ans, err := e.kb.Answer(ctx, knowledge.Query{Text: query, Lang: t.Lang, Channel: t.Message.Channel})
	if err != nil {
		e.log.Warn("knowledge unavailable", "error", err, "message_id", t.Message.ID)
		t.Decision.Notes = append(t.Decision.Notes, "knowledge_error")
		ans = knowledge.Answer{Kind: knowledge.AnswerNone}
	}
	t.Decision.Knowledge = &ans
	if ans.Kind == knowledge.AnswerNone || strings.TrimSpace(ans.Text) == "" {
		if !last {
			return false, nil
		}
		t.Settle(PolicyDontKnow)
		t.Say(e.texts.Get("dont_know", t.Lang))
		return true, nil
	}
	t.Settle(PolicyAnswer)
	t.Replies = append(t.Replies, knowledgeReply(ans))
	return true, nil
}

// Action is a business action's outcome, as the policy needs it.
type ActionResult struct {
	Text string // the reply, rendered from the action's response
	// Handoff asks for a human (the action failed and is configured to hand off).
	Handoff bool
	Payload map[string]any
	// Focus entities to remember (the order the action found, ...).
	Focus map[string]nlu.Entity
	// Detail is stored in the decision path (status, latency, which backend).
	Detail map[string]any
	// Fields are the values mapped from the response, for playbooks that
	// compute with them (stock left, lessons attended, hotels found).
	Fields map[string]any
	// Failure says why the business system could not answer (timeout,
	// status_500, bad_json, host_not_allowed, ...); empty on success. Text
	// is then the polite reply configured for failures.
	Failure string
	// Declined is set when the business system answered and refused the
	// request (an order already delivered cannot be hurried): Text says why,
	// and nothing follows from it (no ticket is opened).
	Declined bool
}

// Actions runs business actions by name (connectors implements it).
type Actions interface {
	Run(ctx context.Context, name string, t *Turn) (*ActionResult, error)
}

func (e *Engine) runAction(ctx context.Context, t *Turn, name string) (bool, error) {
	res, err := e.actions.Run(ctx, name, t)
	if ErrorCode(err) == "action_not_found" {
		// The catalog names an action the deployment has not configured:
		// the knowledge base answers instead (the intent's query included).
		t.Decision.Notes = append(t.Decision.Notes, "action_not_configured:"+name)
		return false, nil
	}
	if err != nil {
		e.log.Warn("action failed", "action", name, "error", err)
		t.Decision.Notes = append(t.Decision.Notes, "action_error:"+name)
		t.Settle(PolicyActionFailed)
		t.Say(e.texts.Get("action_failed", t.Lang))
		return true, nil
	}
	t.Decision.Action = &ActionTrace{Name: name, Detail: res.Detail}
	for role, ent := range res.Focus {
		nlu.Remember(&t.Dialogue.State, role, ent)
	}
	t.Settle(PolicyAction)
	if res.Text != "" {
		t.Replies = append(t.Replies, Reply{Sender: SenderBot, Text: res.Text, Payload: res.Payload})
	}
	if res.Handoff {
		t.Settle(PolicyHandoff)
		t.Handoff = &HandoffRequest{Reason: "action_failed"}
		t.Replies = append(t.Replies, Reply{Sender: SenderSystem, Text: e.texts.Get("handoff", t.Lang)})
	}
	return true, nil
}

// payloadJSON encodes a reply payload; nil stays nil.
func payloadJSON(p map[string]any) json.RawMessage {
	if len(p) == 0 {
		return nil
	}
	b, _ := json.Marshal(p)
	return b
}
