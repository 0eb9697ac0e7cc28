package playbook

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"kefu/appliance"
	"kefu/nlu"
)

// Words that answer a flow's question.
var (
	submitWords  = []string{"提交", "好了", "就这些", "没有了", "传完了", "上传完", "可以了", "submit", "done"}
	confirmWords = []string{"确认", "确定", "是的", "好的", "可以", "同意", "confirm", "yes", "ok"}
	cancelWords  = []string{"取消", "算了", "不退了", "不用了", "不要了", "不需要", "cancel"}
)

func says(text string, words []string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	for _, w := range words {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// media takes photos a flow waits for (a return's photos, the ID card).
func (p *Policy) media(ctx context.Context, t *appliance.Turn) (bool, error) {
	if t.Message.Kind == appliance.KindEvent {
		return false, nil
	}
	fl := getFlow(&t.Dialogue.State)
	atts := images(t.Message)
	if fl == nil || len(atts) == 0 {
		return false, nil
	}
	book := p.book(fl.Book)
	if book == nil {
		return false, nil
	}
	switch {
	case fl.Kind == flowPhotos:
		return p.addPhotos(ctx, t, book, fl, atts)
	case fl.Kind == flowVerify && fl.Step == "photo":
		return p.idPhoto(ctx, t, book, fl, atts)
	}
	return false, nil
}

// pending takes a text answer to a flow in progress. The NLU has read the
// message as if it were new; for an answer the dialogue state before it is
// kept instead.
func (p *Policy) pending(ctx context.Context, t *appliance.Turn) (bool, error) {
	fl := getFlow(t.State)
	if fl == nil {
		return false, nil
	}
	book := p.book(fl.Book)
	text := t.Message.Text
	if book == nil || t.NLU.Intent == nlu.IntentHandoff {
		setFlow(&t.Dialogue.State, nil)
		return false, nil
	}
	// A name in Chinese characters answering "your name on the ID card?" in
	// an English conversation does not switch the conversation to Chinese.
	if fl.Kind == flowVerify && fl.Step == "name" && t.State != nil && t.State.Lang != "" {
		t.Lang, t.Decision.Lang = t.State.Lang, t.State.Lang
	}
	restore := func() { t.Dialogue = nlu.Turn{State: cloneState(t.State)} }
	if says(text, cancelWords) {
		restore()
		setFlow(&t.Dialogue.State, nil)
		p.audit(t, "flow.cancel", map[string]any{"flow": fl.Kind, "intent": fl.Intent})
		t.Decision.Playbook = book.Name + "." + fl.Intent
		t.Settle(appliance.PolicyFlow)
		cancelled := book.Texts.Cancelled
		if cancelled.Empty() {
			cancelled = Text{Zh: "好的，已为您取消。还有什么可以帮您？", En: "OK, cancelled. Anything else?"}
		}
		sayText(t, cancelled, nil)
		return true, nil
	}
	if fl.Kind == flowGuided {
		return p.guidedAnswer(ctx, t, fl)
	}
	// A confident, different request leaves the flow behind.
	moveOn := t.NLU.Intent != nlu.IntentNone && !t.NLU.OutOfScope && t.NLU.Confidence >= 0.8 && t.NLU.Intent != fl.Intent
	switch fl.Kind {
	case flowPhotos:
		if says(text, submitWords) {
			restore()
			return p.submitPhotos(ctx, t, book, fl)
		}
		// A reason that needs photos (破损, 过敏) answers the flow, whatever
		// else the NLU reads in it (damaged_compensation would hand off).
		rule := p.photoRule(fl, text)
		if rule == nil && t.NLU.Intent != fl.Intent {
			// A question about something else ("退货运费谁出?") is answered
			// as usual, and the return still waits for its photos.
			if p.informational(t.NLU.Intent) || (isQuestion(text) && !moveOn) {
				return false, nil
			}
			// Another task leaves the return behind when it is asked for, or
			// is clearly meant: "尺码太小了" is a reason, not a stock query.
			if moveOn && (isQuestion(text) || t.NLU.Confidence >= 0.95) {
				setFlow(&t.Dialogue.State, nil)
				return false, nil
			}
		}
		restore()
		return p.photoAnswer(t, book, fl, text, rule)
	case flowConfirm:
		if says(text, confirmWords) {
			restore()
			return p.confirmed(t, book, fl)
		}
		// A question while the customer decides ("已经上了几节了?", "退款多久
		// 到账?") is answered as usual, and the confirmation still waits.
		if t.NLU.Intent != fl.Intent && sure(t.NLU) &&
			(p.informational(t.NLU.Intent) || p.lookup(t.NLU.Intent)) {
			return false, nil
		}
		if moveOn || p.namesAnother(t, fl) {
			setFlow(&t.Dialogue.State, nil)
			return false, nil
		}
		// Anything else ("退多少钱?", "嗯…") gets the quote again, with what
		// the customer is asked to confirm.
		restore()
		t.Decision.Playbook = book.Name + "." + fl.Intent
		t.Settle(appliance.PolicyFlow)
		if _, b := p.bindingFor(fl.Intent); b != nil && b.Refund != nil && !b.Refund.Quote.Empty() && fl.Values["amount"] != "" {
			sayText(t, b.Refund.Quote, fl.Values)
		} else {
			sayText(t, book.Texts.Confirm, nil)
		}
		setFlow(&t.Dialogue.State, fl)
		return true, nil
	case flowVerify:
		if moveOn && !strings.ContainsAny(text, "0123456789") && fl.Step != "name" {
			setFlow(&t.Dialogue.State, nil)
			return false, nil
		}
		restore()
		return p.verifyAnswer(ctx, t, book, fl, text)
	}
	return false, nil
}

// photoRule is the binding's photo rule the text names, when the flow has
// no reason that needs photos yet.
func (p *Policy) photoRule(fl *flowState, text string) *PhotoRule {
	_, b := p.bindingFor(fl.Intent)
	if fl.Required || b == nil || b.Photos == nil {
		return nil
	}
	for i, r := range b.Photos.Rules {
		if containsAny(text, r.Keywords) != "" {
			return &b.Photos.Rules[i]
		}
	}
	return nil
}

// photoAnswer takes what the customer writes while a return waits for
// photos: their reason, in their own words, goes on the ticket; a reason that
// needs photos makes them required. The same request again repeats the
// question instead.
func (p *Policy) photoAnswer(t *appliance.Turn, book *Playbook, fl *flowState, text string, rule *PhotoRule) (bool, error) {
	t.Decision.Playbook = book.Name + "." + fl.Intent
	t.Settle(appliance.PolicyFlow)
	defer setFlow(&t.Dialogue.State, fl)
	if fl.Values == nil {
		fl.Values = map[string]string{}
	}
	again := rule == nil && t.NLU.Intent == fl.Intent && !t.NLU.OutOfScope && t.NLU.Confidence >= 0.95
	if _, b := p.bindingFor(fl.Intent); again && b != nil && b.Photos != nil {
		if n := len(fl.Photos); n > 0 {
			sayText(t, book.Texts.PhotoReceived, map[string]any{"count": n, "left": max(b.Photos.Max-n, 0)})
			return true, nil
		}
		ask := b.Photos.Default
		for _, r := range b.Photos.Rules {
			if r.Reason == fl.Values["reason"] {
				ask = r
			}
		}
		sayText(t, ask.Ask, fl.Values)
		return true, nil
	}
	fl.Values["note"] = addNote(fl.Values["note"], text)
	if rule != nil {
		fl.Values["reason"] = rule.Reason
		fl.Required = rule.Required
		sayText(t, rule.Ask, fl.Values)
		return true, nil
	}
	if fl.Required && len(fl.Photos) == 0 {
		sayText(t, book.Texts.PhotoNeeded, nil)
		return true, nil
	}
	noted := book.Texts.ReasonNoted
	if noted.Empty() {
		noted = Text{Zh: "好的，已记下：{{.note}}。可以继续上传照片，或回复“提交”。", En: "Noted: {{.note}}. Upload photos, or reply \"submit\"."}
	}
	sayText(t, noted, fl.Values)
	return true, nil
}

// informational reports whether intent is answered from the knowledge base
// (a policy question), not a task that would replace the one in progress.
func (p *Policy) informational(intent string) bool {
	cat := p.opts.Catalog()
	if cat == nil {
		return false
	}
	in, ok := cat.Intent(intent)
	return ok && in.Fulfilment.Kind == nlu.FulfilKnowledge
}

// asideConfidence is how sure the NLU must be that a message during a
// confirmation is a question of another kind, for the flow to wait.
const asideConfidence = 0.5

// sure reports whether the NLU recognised the message with confidence: an
// intent the local engine was unsure of (and no LLM decided) is a guess.
func sure(r nlu.Result) bool {
	return r.Intent != nlu.IntentNone && !r.OutOfScope && r.Trace.Degraded == "" && r.Confidence >= asideConfidence
}

// lookup reports whether intent only looks something up (the catalog lets
// it be followed up: order status, progress, balance): asking it changes
// nothing a flow waits for.
func (p *Policy) lookup(intent string) bool {
	cat := p.opts.Catalog()
	if cat == nil {
		return false
	}
	in, ok := cat.Intent(intent)
	return ok && in.FollowUp
}

// namesAnother reports whether the message names another value for one of
// the flow's intent's slots ("那退钢琴课呢" while a refund of 少儿英语 waits
// for its confirmation): a new request, not an answer.
func (p *Policy) namesAnother(t *appliance.Turn, fl *flowState) bool {
	cat := p.opts.Catalog()
	if cat == nil {
		return false
	}
	in, ok := cat.Intent(fl.Intent)
	if !ok {
		return false
	}
	for _, s := range in.Slots {
		had := fl.Values[s.Name]
		if had == "" {
			continue
		}
		for _, e := range t.NLU.Entities {
			if nlu.Accepts(s.Entity, e.Type) && e.Value != had {
				return true
			}
		}
	}
	return false
}

// isQuestion reports whether text asks something (see nlu.IsQuestion).
func isQuestion(text string) bool { return nlu.IsQuestion(text) }

// maxNote bounds the customer's own words kept for a ticket, in runes.
const maxNote = 200

// addNote appends one answer to the notes a flow collected.
func addNote(notes, text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return notes
	}
	if notes != "" {
		text = notes + "；" + text
	}
	if r := []rune(text); len(r) > maxNote {
		text = string(r[:maxNote-1]) + "…"
	}
	return text
}

func (p *Policy) addPhotos(ctx context.Context, t *appliance.Turn, book *Playbook, fl *flowState, atts []appliance.Attachment) (bool, error) {
	_, b := p.bindingFor(fl.Intent)
	max := 3
	if b != nil && b.Photos != nil {
		max = b.Photos.Max
	}
	for _, a := range atts {
		if len(fl.Photos) >= max {
			break
		}
		ref := a.URL
		if ref == "" {
			ref = "media:" + a.MediaID
		}
		fl.Photos = append(fl.Photos, ref)
	}
	p.audit(t, "flow.photo", map[string]any{"intent": fl.Intent, "count": len(fl.Photos)})
	if len(fl.Photos) >= max {
		return p.submitPhotos(ctx, t, book, fl)
	}
	t.Decision.Playbook = book.Name + "." + fl.Intent
	t.Settle(appliance.PolicyFlow)
	sayText(t, book.Texts.PhotoReceived, map[string]any{"count": len(fl.Photos), "left": max - len(fl.Photos)})
	setFlow(&t.Dialogue.State, fl)
	return true, nil
}

// submitPhotos opens the ticket once the photos are in.
func (p *Policy) submitPhotos(ctx context.Context, t *appliance.Turn, book *Playbook, fl *flowState) (bool, error) {
	t.Decision.Playbook = book.Name + "." + fl.Intent
	_, b := p.bindingFor(fl.Intent)
	if fl.Required && len(fl.Photos) == 0 {
		t.Settle(appliance.PolicyFlow)
		sayText(t, book.Texts.PhotoNeeded, nil)
		setFlow(&t.Dialogue.State, fl)
		return true, nil
	}
	setFlow(&t.Dialogue.State, nil)
	if b == nil || b.Ticket == nil {
		return false, nil
	}
	vals := fl.Values
	if vals == nil {
		vals = map[string]string{}
	}
	vals["photo_count"] = itoa(len(fl.Photos))
	// The reason as the customer reads it back: their own words when they
	// gave no reason the playbook names (其他), else both.
	vals["reason_text"] = vals["reason"]
	if note := vals["note"]; note != "" {
		if b != nil && b.Photos != nil && vals["reason"] == b.Photos.Default.Reason {
			vals["reason_text"] = note
		} else {
			vals["reason_text"] = vals["reason"] + "，" + note
		}
	}
	if p.inProgress(ctx, t, b, vals) {
		return true, nil
	}
	p.openTicket(t, b, vals, map[string]any{"photos": fl.Photos}, "bot")
	t.Settle(appliance.PolicyTicket)
	sayText(t, b.Done, vals)
	return true, nil
}

// confirmed opens the ticket the customer confirmed (a course refund).
func (p *Policy) confirmed(t *appliance.Turn, book *Playbook, fl *flowState) (bool, error) {
	t.Decision.Playbook = book.Name + "." + fl.Intent
	setFlow(&t.Dialogue.State, nil)
	_, b := p.bindingFor(fl.Intent)
	if b == nil || b.Ticket == nil {
		return false, nil
	}
	p.audit(t, "flow.confirm", map[string]any{"intent": fl.Intent, "amount": fl.Values["amount"]})
	p.openTicket(t, b, fl.Values, nil, "bot")
	t.Settle(appliance.PolicyTicket)
	sayText(t, b.Done, fl.Values)
	return true, nil
}

// inProgress answers for a ticket the binding would open when one for the
// same matter (its Unique values) is still being handled: the customer is
// told its number and state instead of getting a second one.
func (p *Policy) inProgress(ctx context.Context, t *appliance.Turn, b *Binding, vals map[string]string) bool {
	if b.Ticket == nil || len(b.Ticket.Unique) == 0 || p.opts.Tickets == nil {
		return false
	}
	for _, k := range b.Ticket.Unique {
		if vals[k] == "" {
			return false
		}
	}
	list, err := p.opts.Tickets.InProgress(ctx, t.Message.CustomerID, b.Ticket.Type)
	if err != nil {
		p.log.Warn("tickets in progress not readable", "type", b.Ticket.Type, "error", err)
		return false
	}
	for _, tk := range list {
		same := true
		for _, k := range b.Ticket.Unique {
			if v, ok := tk.Data[k]; !ok || fmt.Sprint(v) != vals[k] {
				same = false
				break
			}
		}
		if !same {
			continue
		}
		data := map[string]string{}
		maps.Copy(data, vals)
		data["ticket_id"], data["ticket_status"] = strconv.FormatInt(tk.ID, 10), tk.Status
		exists := b.Ticket.Exists
		if exists.Empty() {
			exists = Text{Zh: "您的申请（工单 #{{.ticket_id}}）正在处理中，当前状态：{{.ticket_status}}，无需重复提交。有进展会第一时间在这里通知您。",
				En: "Your request (ticket #{{.ticket_id}}) is already being handled ({{.ticket_status}}); we'll update you here."}
		}
		note(t, "ticket_in_progress:"+data["ticket_id"])
		t.Settle(appliance.PolicyTicket)
		sayText(t, exists, data)
		return true
	}
	return false
}

// openTicket adds a ticket to the turn; the engine creates it with the turn.
func (p *Policy) openTicket(t *appliance.Turn, b *Binding, vals map[string]string, extra map[string]any, by string) {
	data := map[string]any{"lang": t.Lang, "intent": b.Intent}
	for k, v := range vals {
		data[k] = v
	}
	for k, v := range extra {
		data[k] = v
	}
	t.Tickets = append(t.Tickets, &appliance.Ticket{Type: b.Ticket.Type, Title: render(b.Ticket.Title, vals),
		Body: render(b.Ticket.Body, vals), Data: data, CreatedBy: by})
	note(t, "ticket:"+b.Ticket.Type)
}

// guidedAnswer keeps a guided flow on track: a message that answers the
// question the flow asked (a date, a budget) is that answer, whatever else
// the classifier made of it ("300-500元" is not a goodbye).
func (p *Policy) guidedAnswer(ctx context.Context, t *appliance.Turn, fl *flowState) (bool, error) {
	cat := p.opts.Catalog()
	in, ok := cat.Intent(fl.Intent)
	if !ok || t.State == nil || t.State.ActiveIntent != fl.Intent {
		setFlow(&t.Dialogue.State, nil)
		return false, nil
	}
	if t.Dialogue.Intent != nil && t.Dialogue.Intent.Name == fl.Intent {
		return false, nil // the NLU followed the flow
	}
	answers := false
	for _, s := range in.Slots {
		if !slices.Contains(t.State.Missing, s.Name) {
			continue
		}
		for _, e := range t.NLU.Entities {
			if nlu.Accepts(s.Entity, e.Type) {
				answers = true
			}
		}
	}
	if !answers {
		setFlow(&t.Dialogue.State, nil)
		return false, nil
	}
	prev := cloneState(t.State)
	t.Dialogue = nlu.Track(&prev, nlu.Result{Intent: fl.Intent, Confidence: 1, Entities: t.NLU.Entities}, cat, p.now(), t.Lang, nlu.TrackConfig{IdleTimeout: -1})
	note(t, "flow_answer:"+fl.Intent)
	// Served here: the later steps would read the classifier's intent.
	return p.serve(ctx, t)
}
