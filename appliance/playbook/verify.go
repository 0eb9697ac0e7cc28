package playbook

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/appliance"
	"kefu/appliance/pii"
	"kefu/knowledge"
	"kefu/nlu"
)

var idRe = regexp.MustCompile(`[1-9]\d{16}[\dXx]`)

// ValidIDNumber checks a mainland resident ID number: 18 characters, a real
// birth date, and the GB 11643 (ISO 7064 MOD 11-2) check character.
func ValidIDNumber(id string) bool {
	if len(id) != 18 {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	if strings.ToUpper(id[17:]) != string("10X98765432"[sum%11]) {
		return false
	}
	birth, err := time.Parse("20060102", id[6:14])
	return err == nil && birth.Year() >= 1900 && birth.Before(time.Now())
}

// verificationFor returns the verification a turn needs, with what triggered
// it, or nil.
// gateConfidence is how sure the engine must be of a gated intent, when the
// dialogue did not take it up, for the message to be held for verification.
const gateConfidence = 0.55

func (p *Policy) verificationFor(t *appliance.Turn) (*Playbook, string, string) {
	intent := t.NLU.Intent
	if d := t.Dialogue.Intent; d != nil {
		intent = d.Name
	}
	for _, b := range p.Playbooks() {
		v := b.Verification
		if v == nil {
			continue
		}
		if d := t.Dialogue.Intent; d != nil && (d.RequiresVerification || slices_contains(v.Intents, d.Name)) {
			return b, d.Name, "intent"
		}
		// A guess (an order number alone read as change_phone at 0.5) does
		// not hold the message; the words below still do.
		if slices_contains(v.Intents, t.NLU.Intent) && !t.NLU.OutOfScope && t.NLU.Confidence >= gateConfidence {
			return b, t.NLU.Intent, "intent"
		}
		if w := containsAny(t.Message.Text, v.Keywords); w != "" {
			// The words say it even if the classifier did not: take the
			// first gated intent among its candidates, if any.
			gated := ""
			for _, c := range t.NLU.Trace.Candidates {
				if slices_contains(v.Intents, c.Intent) {
					gated = c.Intent
					break
				}
			}
			if gated == "" && slices_contains(v.Intents, intent) {
				gated = intent
			}
			return b, gated, "keyword:" + w
		}
	}
	return nil, "", ""
}

func slices_contains(list []string, s string) bool {
	for _, x := range list {
		if x == s && s != "" {
			return true
		}
	}
	return false
}

func (p *Policy) verifiedRecently(st *nlu.State, validFor time.Duration) bool {
	if st == nil {
		return false
	}
	e, ok := st.Focus[focusVerified]
	if !ok {
		return false
	}
	at, err := time.Parse(time.RFC3339, e.Value)
	return err == nil && p.now().Sub(at) < validFor
}

// verification is the gate: a message that needs real-name verification
// is held, whatever its phrasing, until the customer has passed it.
func (p *Policy) verification(_ context.Context, t *appliance.Turn) (bool, error) {
	if t.NLU.Intent == nlu.IntentHandoff {
		return false, nil
	}
	book, intent, trigger := p.verificationFor(t)
	if book == nil {
		return false, nil
	}
	ents := append([]nlu.Entity(nil), t.NLU.Entities...)
	maskEntities(t)
	if p.verifiedRecently(&t.Dialogue.State, book.Verification.ValidFor) {
		note(t, "verified")
		return false, nil
	}
	st := cloneState(t.State)
	st.ActiveIntent, st.Slots, st.Missing = "", nil, nil
	setFlow(&st, &flowState{Kind: flowVerify, Book: book.Name, Intent: intent, Step: "id",
		Pending: &pendingTurn{Intent: intent, Text: t.Message.Text, Entities: ents}})
	t.Dialogue = nlu.Turn{State: st}
	p.audit(t, "verification.required", map[string]any{"intent": intent, "trigger": trigger, "text": pii.Mask(t.Message.Text)})
	note(t, "verification_required:"+intent)
	t.Decision.Playbook = book.Name + ".verification"
	t.Settle(appliance.PolicyVerification)
	sayText(t, book.Verification.Texts.Start, nil)
	return true, nil
}

// verifyAnswer takes the customer's answer to the current verification step.
func (p *Policy) verifyAnswer(ctx context.Context, t *appliance.Turn, book *Playbook, fl *flowState, text string) (bool, error) {
	v := book.Verification
	t.Decision.Playbook = book.Name + ".verification"
	t.Settle(appliance.PolicyVerification)
	maskEntities(t)
	switch fl.Step {
	case "id":
		id := idRe.FindString(strings.ReplaceAll(text, " ", ""))
		if id == "" || !ValidIDNumber(id) {
			p.audit(t, "verification.id_number", map[string]any{"valid": false, "input": pii.Mask(text)})
			sayText(t, v.Texts.BadID, nil)
			break
		}
		id = strings.ToUpper(id)
		fl.Values = map[string]string{"id": id}
		fl.Step = "name"
		p.audit(t, "verification.id_number", map[string]any{"valid": true, "id_number": pii.Mask(id)})
		sayText(t, v.Texts.AskName, nil)
	case "name":
		name := cleanName(text)
		if name == "" {
			p.audit(t, "verification.name", map[string]any{"valid": false})
			sayText(t, v.Texts.BadName, nil)
			break
		}
		if v.CheckAction != "" && p.opts.Actions != nil {
			res, err := p.opts.Actions.Call(ctx, v.CheckAction, input(t, nil, map[string]string{"id_number": fl.Values["id"], "name": name}))
			if err != nil {
				return false, err
			}
			t.Decision.Action = &appliance.ActionTrace{Name: v.CheckAction, Detail: res.Detail}
			if res.Failure != "" {
				p.audit(t, "verification.check", map[string]any{"outcome": res.Failure})
				t.Say(res.Text)
				break
			}
			if ok, _ := res.Fields["verified"].(bool); !ok {
				fl.Attempts++
				fl.Step, fl.Values = "id", nil
				p.audit(t, "verification.check", map[string]any{"outcome": "mismatch", "attempt": fl.Attempts, "name": maskName(name)})
				if fl.Attempts >= v.MaxAttempts {
					setFlow(&t.Dialogue.State, nil)
					p.audit(t, "verification.locked", map[string]any{"attempts": fl.Attempts})
					sayText(t, v.Texts.Locked, nil)
					handoff(t, "verification_failed")
					return true, nil
				}
				sayText(t, v.Texts.Mismatch, nil)
				break
			}
			p.audit(t, "verification.check", map[string]any{"outcome": "match", "name": maskName(name)})
		}
		// The ID number has served its purpose: it is not kept.
		fl.Values = map[string]string{"name": maskName(name)}
		fl.Step = "photo"
		sayText(t, v.Texts.AskPhoto, nil)
	default:
		sayText(t, v.Texts.AskPhoto, nil)
	}
	setFlow(&t.Dialogue.State, fl)
	return true, nil
}

// idPhoto takes the photo of the ID card: verification passes, and the
// held message is answered.
func (p *Policy) idPhoto(ctx context.Context, t *appliance.Turn, book *Playbook, fl *flowState, atts []appliance.Attachment) (bool, error) {
	v := book.Verification
	p.audit(t, "verification.id_photo", map[string]any{"photos": len(atts)})
	setFlow(&t.Dialogue.State, nil)
	nlu.Remember(&t.Dialogue.State, focusVerified, nlu.Entity{Type: "verified", Value: p.now().UTC().Format(time.RFC3339)})
	p.audit(t, "verification.passed", map[string]any{"intent": fl.Intent})
	t.Decision.Playbook = book.Name + ".verification"
	t.Settle(appliance.PolicyVerification)
	sayText(t, v.Texts.Passed, nil)
	return p.replay(ctx, t, fl.Pending)
}

// replay answers the message held for verification: what the knowledge
// base says about it, then the intent itself (asking what it still needs,
// or running its action).
func (p *Policy) replay(ctx context.Context, t *appliance.Turn, pt *pendingTurn) (bool, error) {
	if pt == nil {
		return true, nil
	}
	p.audit(t, "verification.replay", map[string]any{"intent": pt.Intent})
	if p.opts.Knowledge != nil && strings.TrimSpace(pt.Text) != "" {
		ans, err := p.opts.Knowledge.Answer(ctx, knowledge.Query{Text: pt.Text, Lang: t.Lang, Channel: t.Message.Channel})
		if err == nil && ans.Kind == knowledge.AnswerFAQ && strings.TrimSpace(ans.Text) != "" {
			t.Decision.Knowledge = &ans
			r := appliance.Reply{Sender: appliance.SenderBot, Text: ans.Text}
			if len(ans.Citations) > 0 {
				r.Payload = map[string]any{"citations": ans.Citations}
			}
			t.Replies = append(t.Replies, r)
		}
	}
	cat := p.opts.Catalog()
	if pt.Intent == "" || cat == nil {
		return true, nil
	}
	st := t.Dialogue.State
	st.ActiveIntent, st.Slots, st.Missing = "", nil, nil
	turn := nlu.Track(&st, nlu.Result{Intent: pt.Intent, Confidence: 1, Entities: pt.Entities}, cat, p.now(), t.Lang, nlu.TrackConfig{IdleTimeout: -1})
	t.Dialogue = turn
	if turn.Intent == nil {
		return true, nil
	}
	if !turn.Complete {
		t.Say(turn.Prompt())
		return true, nil
	}
	if _, err := p.serve(ctx, t); err != nil {
		return false, err
	}
	t.Settle(appliance.PolicyVerification)
	return true, nil
}

var nameNoise = strings.NewReplacer("我叫", "", "我的名字是", "", "名字是", "", "姓名是", "", "姓名", "", "：", "", ":", "", "。", "", "，", "", " ", "")

func cleanName(s string) string {
	s = nameNoise.Replace(strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return ""
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && r != '·' && !unicode.IsLetter(r) {
			return ""
		}
	}
	return s
}

// maskName keeps the family name only: 张*, 欧阳**.
func maskName(s string) string {
	rs := []rune(s)
	if len(rs) <= 1 {
		return "*"
	}
	return string(rs[0]) + strings.Repeat("*", len(rs)-1)
}
