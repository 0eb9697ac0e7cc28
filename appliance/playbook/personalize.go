package playbook

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"kefu/appliance"
	"kefu/appliance/pii"
	"kefu/nlu"
)

// disclose says the risk disclosure before an investment answer, whatever
// answers it next; every disclosure is audited.
func (p *Policy) disclose(_ context.Context, t *appliance.Turn) (bool, error) {
	for _, b := range p.Playbooks() {
		d := b.Disclosure
		if d == nil {
			continue
		}
		in := t.Dialogue.Intent
		trigger := ""
		switch {
		case in != nil && (in.RiskDisclosure || slices.Contains(d.Intents, in.Name)):
			trigger = "intent:" + in.Name
		case slices.Contains(d.Intents, t.NLU.Intent):
			trigger = "intent:" + t.NLU.Intent
		default:
			if w := containsAny(t.Message.Text, d.Keywords); w != "" {
				trigger = "keyword:" + w
			}
		}
		if trigger == "" {
			continue
		}
		shown := b.Name + ":" + strconv.FormatInt(t.Conversation.ID, 10)
		if !d.EveryAnswer && t.State != nil && t.State.Focus[focusDisclosed].Value == shown {
			note(t, "risk_disclosure_shown_before")
			nlu.Remember(&t.Dialogue.State, focusDisclosed, nlu.Entity{Type: "playbook", Value: shown})
			return false, nil
		}
		nlu.Remember(&t.Dialogue.State, focusDisclosed, nlu.Entity{Type: "playbook", Value: shown})
		sayText(t, d.Text, nil)
		note(t, "risk_disclosure")
		p.audit(t, "risk_disclosure.shown", map[string]any{"trigger": trigger, "playbook": b.Name})
		return false, nil
	}
	return false, nil
}

// triggered says whether a message calls for the rule: its intent is one
// of the rule's intents and it says one of the rule's keywords, whichever
// the rule lists ("do you have rain boots?" is a product search but no
// 补钙 question).
func (r *Rule) triggered(intent, text string) bool {
	if len(r.Intents) > 0 && !slices.Contains(r.Intents, intent) {
		return false
	}
	return len(r.Keywords) == 0 || containsAny(text, r.Keywords) != ""
}

// personalize answers from the customer's own profile when a rule's
// trigger and conditions hold; the facts used go into the decision path.
func (p *Policy) personalize(ctx context.Context, t *appliance.Turn) (bool, error) {
	intent := t.NLU.Intent
	if in := t.Dialogue.Intent; in != nil {
		intent = in.Name
	}
	for _, b := range p.Playbooks() {
		for _, r := range b.Personalization {
			if !r.triggered(intent, t.Message.Text) {
				continue
			}
			data, facts, ok := p.holds(ctx, t, r)
			if !ok {
				continue
			}
			if r.Action != "" && p.opts.Actions != nil {
				vars := map[string]string{}
				for k, tpl := range r.Vars {
					vars[k] = render(tpl, data)
				}
				res, err := p.opts.Actions.Call(ctx, r.Action, input(t, said(t), vars))
				if err != nil || res.Failure != "" || num(res.Fields["count"]) == 0 {
					continue
				}
				t.Decision.Action = &appliance.ActionTrace{Name: r.Action, Detail: res.Detail}
				data["result"] = res.Fields
			}
			text := render(r.Reply.Get(t.Lang), data)
			if text == "" {
				continue
			}
			t.Decision.Profile = append(t.Decision.Profile, facts...)
			t.Decision.Playbook = b.Name + ".personalization." + r.Name
			t.Settle(appliance.PolicyPersonalized)
			t.Say(text)
			return true, nil
		}
	}
	return false, nil
}

// holds evaluates a rule's conditions on the profile.
func (p *Policy) holds(ctx context.Context, t *appliance.Turn, r Rule) (map[string]any, []appliance.ProfileFact, bool) {
	data := map[string]any{}
	var facts []appliance.ProfileFact
	for _, c := range r.When {
		if len(c.Asked) > 0 {
			q, ok := p.asked(ctx, t, c.Asked)
			if !ok {
				return nil, nil, false
			}
			data[c.As] = map[string]string{"text": q}
			facts = append(facts, appliance.ProfileFact{Source: "history", Fact: "asked", Value: pii.Mask(q)})
			continue
		}
		found := false
		for _, rec := range p.records(ctx, t) {
			if rec.Kind != c.Record && !(c.Record == "purchase" && rec.Kind == "order") {
				continue
			}
			if c.Within > 0 && (rec.Date.IsZero() || p.now().Sub(rec.Date) > c.Within) {
				continue
			}
			matched := true
			var used []appliance.ProfileFact
			for k, want := range c.Match {
				v := recordValue(rec, k)
				if v != want && !strings.Contains(v, `"`+want+`"`) {
					matched = false
					break
				}
				used = append(used, appliance.ProfileFact{Source: rec.Kind, ID: rec.ID, Fact: k, Value: want})
			}
			if matched && c.Field != "" {
				n, err := strconv.ParseFloat(recordValue(rec, c.Field), 64)
				if err != nil || n < c.AtLeast {
					matched = false
				} else {
					used = append(used, appliance.ProfileFact{Source: rec.Kind, ID: rec.ID, Fact: c.Field, Value: recordValue(rec, c.Field)})
				}
			}
			if !matched {
				continue
			}
			if len(used) == 0 {
				used = append(used, appliance.ProfileFact{Source: rec.Kind, ID: rec.ID, Fact: "latest", Value: rec.Title})
			}
			data[c.As] = recordFacts(rec)
			facts = append(facts, used...)
			found = true
			break
		}
		if !found {
			return nil, nil, false
		}
	}
	return data, facts, true
}

// asked finds an earlier question of the customer's with one of the words.
func (p *Policy) asked(ctx context.Context, t *appliance.Turn, words []string) (string, bool) {
	if p.opts.History == nil || t.Customer == nil {
		return "", false
	}
	msgs, err := p.opts.History.Messages(ctx, appliance.MessageFilter{CustomerID: t.Customer.ID, CustomerOnly: true, Limit: 200})
	if err != nil {
		return "", false
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.ID == t.Message.ID || m.Sender != appliance.SenderCustomer {
			continue
		}
		if containsAny(m.Text, words) != "" {
			return m.Text, true
		}
	}
	return "", false
}

// said is the dialogue's slots this message filled itself: a rule answers
// what the customer says now with their profile ("推荐一款补钙的" after a
// question about rain boots asks for no rain boots).
func said(t *appliance.Turn) map[string]string {
	out := map[string]string{}
	for k, v := range t.Dialogue.Filled {
		if !slices.Contains(t.Dialogue.Carried, k) {
			out[k] = v
		}
	}
	return out
}
