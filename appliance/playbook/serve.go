package playbook

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/appliance"
	"kefu/knowledge"
	"kefu/nlu"
)

func itoa(n int) string { return strconv.Itoa(n) }

// serve runs the playbook binding of the active intent.
func (p *Policy) serve(ctx context.Context, t *appliance.Turn) (bool, error) {
	in := t.Dialogue.Intent
	if in == nil {
		return false, nil
	}
	book, b := p.bindingFor(in.Name)
	if b == nil {
		return false, nil
	}
	t.Decision.Playbook = book.Name + "." + in.Name
	if b.Context != nil && t.Dialogue.Filled[b.Context.Slot] == "" {
		p.fillFromProfile(ctx, t, b.Context)
	}
	if b.Flow != nil {
		if !t.Dialogue.Complete {
			setFlow(&t.Dialogue.State, &flowState{Kind: flowGuided, Book: book.Name, Intent: in.Name})
			return p.narrow(ctx, t, b)
		}
		setFlow(&t.Dialogue.State, nil)
	}
	if !t.Dialogue.Complete {
		return false, nil // the slot-filling step asks
	}
	switch {
	case b.Refund != nil:
		return p.quoteRefund(ctx, t, book, b)
	case b.Photos != nil:
		return p.startReturn(ctx, t, book, b)
	case b.Action != "":
		return p.runBinding(ctx, t, b)
	case b.Ticket != nil:
		if p.inProgress(ctx, t, b, t.Dialogue.Filled) {
			return true, nil
		}
		p.openTicket(t, b, t.Dialogue.Filled, nil, "bot")
		t.Settle(appliance.PolicyTicket)
		sayText(t, b.Done, t.Dialogue.Filled)
		return true, nil
	}
	return false, nil
}

// fillFromProfile fills a missing slot from the customer's records — "我的
// 快递到哪了" means their latest order — and recomputes what is missing.
func (p *Policy) fillFromProfile(ctx context.Context, t *appliance.Turn, c *Context) {
	recs := p.records(ctx, t)
	var pick *appliance.BusinessRecord
	fact := c.From
	switch c.From {
	case FromLatestOrder, FromOrderByProduct:
		product := t.Dialogue.Filled["product"]
		for i, r := range recs {
			if r.Kind != "order" {
				continue
			}
			if pick == nil {
				pick = &recs[i]
				if c.From == FromLatestOrder || product == "" {
					break
				}
			}
			if product != "" && p.recordIsProduct(r, product) {
				pick, fact = &recs[i], "order_of_product"
				break
			}
		}
		if pick != nil && c.From == FromOrderByProduct && product != "" && fact != "order_of_product" {
			// A product the customer names now and never bought ("那个精华我
			// 要退") is no reason to act on their newest order: they are
			// asked which order they mean.
			if !slices.Contains(t.Dialogue.Carried, "product") {
				note(t, "no_order_of_product")
				return
			}
			fact = FromLatestOrder
		}
	case FromLatestCourse:
		for i, r := range recs {
			if r.Kind == "course" {
				pick = &recs[i]
				break
			}
		}
	}
	if pick == nil {
		return
	}
	value := pick.ID
	if c.From == FromLatestCourse {
		value = pick.Title
	}
	d := &t.Dialogue
	if d.Filled == nil {
		d.Filled = map[string]string{}
	}
	d.Filled[c.Slot] = value
	if d.State.Slots == nil {
		d.State.Slots = map[string]string{}
	}
	d.State.Slots[c.Slot] = value
	d.Carried = append(d.Carried, c.Slot)
	t.Decision.Profile = append(t.Decision.Profile, appliance.ProfileFact{Source: pick.Kind, ID: pick.ID, Fact: fact, Value: value})
	if d.Intent != nil {
		for _, s := range d.Intent.Slots {
			if s.Name == c.Slot {
				nlu.Remember(&d.State, s.Role(), nlu.Entity{Type: s.Entity, Text: value, Value: value})
			}
		}
		recomputeMissing(d, t.Lang)
	}
}

func (p *Policy) recordIsProduct(r appliance.BusinessRecord, product string) bool {
	if strings.Contains(r.Title, product) || r.Detail["category"] == product || strings.Contains(r.Detail["tags"], `"`+product+`"`) {
		return true
	}
	cat := p.opts.Catalog()
	return cat != nil && r.Detail["category"] != "" && cat.Refines("product", r.Detail["category"], product)
}

func recomputeMissing(d *nlu.Turn, lang string) {
	var missing, questions []string
	for _, s := range d.Intent.Slots {
		if !s.Required || d.Filled[s.Name] != "" {
			continue
		}
		satisfied := false
		for _, o := range s.SatisfiedBy {
			if d.Filled[o] != "" {
				satisfied = true
			}
		}
		if !satisfied {
			missing = append(missing, s.Name)
			questions = append(questions, s.Ask.Get(lang))
		}
	}
	d.Missing, d.Questions, d.Complete = missing, questions, len(missing) == 0
	d.State.Missing = missing
}

// runBinding runs the bound action and says its reply; a successful action
// may open a ticket (created by the action).
func (p *Policy) runBinding(ctx context.Context, t *appliance.Turn, b *Binding) (bool, error) {
	if p.opts.Actions == nil {
		return false, nil
	}
	if p.inProgress(ctx, t, b, t.Dialogue.Filled) {
		return true, nil
	}
	res, err := p.opts.Actions.Call(ctx, b.Action, input(t, t.Dialogue.Filled, nil))
	if err != nil {
		p.log.Warn("playbook action not runnable", "action", b.Action, "error", err)
		note(t, "action_error:"+b.Action)
		return false, nil
	}
	p.said(t, b.Action, res)
	if res.Failure == "" && !res.Declined && b.Ticket != nil {
		vals := cloneMap(t.Dialogue.Filled)
		if vals == nil {
			vals = map[string]string{}
		}
		for k, v := range res.Fields {
			vals[k] = fmt.Sprint(v)
		}
		p.openTicket(t, b, vals, nil, "action:"+b.Action)
	}
	return true, nil
}

// said records an action's outcome on the turn and says its reply.
func (p *Policy) said(t *appliance.Turn, name string, res *appliance.ActionResult) {
	t.Decision.Action = &appliance.ActionTrace{Name: name, Detail: res.Detail}
	for role, e := range res.Focus {
		nlu.Remember(&t.Dialogue.State, role, e)
	}
	if res.Failure != "" && res.Failure != "not_found" && res.Failure != "missing_input" {
		t.Settle(appliance.PolicyActionFailed)
	} else {
		t.Settle(appliance.PolicyAction)
	}
	if res.Text != "" {
		t.Replies = append(t.Replies, appliance.Reply{Sender: appliance.SenderBot, Text: res.Text, Payload: res.Payload})
	}
	if res.Handoff {
		handoff(t, "action_failed")
	}
	p.awaitMissing(t, res)
}

// awaitMissing records the slot a business action asked for ("请问要退哪个
// 订单？" when the product named was never bought) as the question the bot
// has open: the next message is read as its answer, or a 取消 withdraws it.
func (p *Policy) awaitMissing(t *appliance.Turn, res *appliance.ActionResult) {
	if res.Failure != "missing_input" || t.Dialogue.Intent == nil {
		return
	}
	need, _ := res.Detail["missing"].(string)
	slot, ok := strings.CutPrefix(need, "slots.")
	if !ok {
		return
	}
	if _, known := t.Dialogue.Intent.Slot(slot); !known || slices.Contains(t.Dialogue.State.Missing, slot) {
		return
	}
	t.Dialogue.State.Missing = append(t.Dialogue.State.Missing, slot)
	t.Dialogue.Missing = append(t.Dialogue.Missing, slot)
}

// narrow is a guided flow's step: count what still matches, say so, and ask
// the next question.
func (p *Policy) narrow(ctx context.Context, t *appliance.Turn, b *Binding) (bool, error) {
	d := t.Dialogue
	if len(d.Missing) == 0 {
		return false, nil
	}
	next := d.Missing[0]
	question := ""
	if q, ok := b.Flow.Ask[next]; ok {
		question = q.Get(t.Lang)
	} else if len(d.Questions) > 0 {
		question = d.Questions[0]
	}
	vals := map[string]any{}
	for k, v := range d.Filled {
		vals[k] = v
	}
	var known []string
	for _, s := range d.Intent.Slots {
		if v := d.Filled[s.Name]; v != "" {
			known = append(known, describe(s.Entity, v))
		}
	}
	vals["known"] = strings.Join(known, "、")
	text := question
	if b.Flow.Search != "" && len(known) > 0 && p.opts.Actions != nil {
		res, err := p.opts.Actions.Call(ctx, b.Flow.Search, input(t, d.Filled, nil))
		if err == nil && res.Failure == "" {
			vals["count"] = res.Fields["count"]
			t.Decision.Action = &appliance.ActionTrace{Name: b.Flow.Search, Detail: res.Detail}
			if s := render(b.Flow.Narrow.Get(t.Lang), vals); s != "" {
				text = joinSentences(s, question)
			}
		}
	}
	t.Settle(appliance.PolicyFlow)
	t.Say(text)
	return true, nil
}

// joinSentences puts b after a: English sentences need a space between
// them, Chinese ones none.
func joinSentences(a, b string) string {
	if r, _ := utf8.DecodeLastRuneInString(a); r < utf8.RuneSelf && r != ' ' && b != "" {
		return a + " " + b
	}
	return a + b
}

// describe writes a slot value as a customer reads it.
func describe(entity, v string) string {
	switch entity {
	case "date":
		if len(v) == 10 {
			m, _ := strconv.Atoi(v[5:7])
			dd, _ := strconv.Atoi(v[8:10])
			return fmt.Sprintf("%d月%d日入住", m, dd)
		}
	case "money_range":
		return v + "元"
	}
	return v
}

// quoteRefund computes a refund from the lessons attended and asks for
// confirmation, showing the computation.
func (p *Policy) quoteRefund(ctx context.Context, t *appliance.Turn, book *Playbook, b *Binding) (bool, error) {
	if p.opts.Actions == nil {
		return false, nil
	}
	r := b.Refund
	res, err := p.opts.Actions.Call(ctx, r.Action, input(t, t.Dialogue.Filled, nil))
	if err != nil {
		return false, err
	}
	total, attended, fee := num(res.Fields["total"]), num(res.Fields["attended"]), num(res.Fields["fee"])
	if res.Failure != "" || total <= 0 {
		p.said(t, r.Action, res)
		return true, nil
	}
	t.Decision.Action = &appliance.ActionTrace{Name: r.Action, Detail: res.Detail}
	ratio := attended / total
	tier := r.Tiers[len(r.Tiers)-1]
	for _, tr := range r.Tiers {
		if ratio <= tr.MaxRatio+1e-9 {
			tier = tr
			break
		}
	}
	amount := math.Round(fee*float64(tier.Percent)) / 100
	vals := map[string]string{
		"course": fmt.Sprint(res.Fields["course"]), "total": fmtNum(total), "attended": fmtNum(attended),
		"fee": money(fee), "ratio": fmtNum(math.Round(ratio*1000)/10) + "%", "rule": tier.Rule,
		"percent": itoa(tier.Percent), "amount": money(amount),
	}
	t.Decision.Profile = append(t.Decision.Profile,
		appliance.ProfileFact{Source: "course", Fact: "lessons_attended", Value: vals["attended"] + "/" + vals["total"]},
		appliance.ProfileFact{Source: "course", Fact: "fee", Value: vals["fee"]})
	note(t, "refund_tier:"+itoa(tier.Percent))
	if p.inProgress(ctx, t, b, vals) {
		return true, nil
	}
	if tier.Percent == 0 {
		t.Settle(appliance.PolicyAction)
		sayText(t, r.None, vals)
		return true, nil
	}
	t.Settle(appliance.PolicyFlow)
	sayText(t, r.Quote, vals)
	setFlow(&t.Dialogue.State, &flowState{Kind: flowConfirm, Book: book.Name, Intent: b.Intent, Values: vals})
	return true, nil
}

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func money(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// startReturn checks the order, then asks for the photos its reason needs.
func (p *Policy) startReturn(ctx context.Context, t *appliance.Turn, book *Playbook, b *Binding) (bool, error) {
	// "奶粉开封了能退吗" asks whether it can be returned: the curated answer
	// (opened formula only for quality problems) comes first, before the
	// offer to file it, the question which order, or the return in progress,
	// so none of them is taken for a yes.
	if policy := p.policyAnswer(ctx, t); policy != "" {
		defer func() {
			if len(t.Replies) > 0 {
				t.Replies[0].Text = policy + "\n" + t.Replies[0].Text
			}
		}()
	}
	vals := cloneMap(t.Dialogue.Filled)
	if vals == nil {
		vals = map[string]string{}
	}
	if b.Action != "" && p.opts.Actions != nil {
		res, err := p.opts.Actions.Call(ctx, b.Action, input(t, t.Dialogue.Filled, nil))
		if err != nil {
			return false, err
		}
		if res.Failure != "" {
			p.said(t, b.Action, res)
			return true, nil
		}
		t.Decision.Action = &appliance.ActionTrace{Name: b.Action, Detail: res.Detail}
		for k, v := range res.Fields {
			vals[k] = fmt.Sprint(v)
		}
	}
	if vals["title"] == "" {
		vals["title"] = vals["product"]
	}
	if p.inProgress(ctx, t, b, vals) {
		return true, nil
	}
	rule := b.Photos.Default
	for _, r := range b.Photos.Rules {
		if containsAny(t.Message.Text, r.Keywords) != "" {
			rule = r
			break
		}
	}
	vals["reason"] = rule.Reason
	t.Settle(appliance.PolicyFlow)
	sayText(t, rule.Ask, vals)
	setFlow(&t.Dialogue.State, &flowState{Kind: flowPhotos, Book: book.Name, Intent: b.Intent, Values: vals, Required: rule.Required})
	return true, nil
}

// policyAnswer is the curated knowledge answer to a message that asks
// whether something may be done ("…能退吗?"), or "" for a request or when the
// knowledge base has no close FAQ entry.
func (p *Policy) policyAnswer(ctx context.Context, t *appliance.Turn) string {
	if p.opts.Knowledge == nil || !isQuestion(t.Message.Text) {
		return ""
	}
	ans, err := p.opts.Knowledge.Answer(ctx, knowledge.Query{Text: t.Message.Text, Lang: t.Lang, Channel: t.Message.Channel})
	if err != nil || ans.Kind != knowledge.AnswerFAQ || strings.TrimSpace(ans.Text) == "" {
		return ""
	}
	t.Decision.Knowledge = &ans
	note(t, "policy_first")
	return strings.TrimSpace(ans.Text)
}
