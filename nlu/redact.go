package nlu

import (
	"log/slog"
	"maps"
	"slices"
	"strings"
)

// Personal numbers — phone, ID-card and bank-card numbers — are extracted as
// entities, remembered in focus and filled into slots, because business
// actions need them. Wherever a result or a state is logged or shown to
// someone who may not see them, they are masked with these functions.

// sensitive are the entity types that hold personal numbers.
var sensitive = map[string]bool{"phone": true, "id_card": true, "bank_card": true}

// MaskValue hides the middle of a personal number of the given entity type:
// 138****5678, 110105********123X, 6222 **** **** 1234. Other types pass
// through unchanged.
func MaskValue(typ, v string) string {
	if !sensitive[typ] {
		return v
	}
	d := digitsAndX(v)
	switch {
	case typ == "phone" && len(d) >= 7:
		return d[:3] + "****" + d[len(d)-4:]
	case typ == "id_card" && len(d) >= 10:
		return d[:6] + strings.Repeat("*", len(d)-10) + d[len(d)-4:]
	case typ == "bank_card" && len(d) >= 8:
		return d[:4] + " **** **** " + d[len(d)-4:]
	}
	return strings.Repeat("*", len(d))
}

// maskText masks a value by its shape when its type is unknown (a slot
// filled by the LLM): anything that looks like a personal number.
func maskText(v string) string {
	if typ := personalShape(v); typ != "" {
		return MaskValue(typ, v)
	}
	return v
}

// personalShape names the personal-number type v looks like, or "": a
// mainland mobile number, an 18-character ID number, a Luhn-valid card.
func personalShape(v string) string {
	d := digitsAndX(v)
	if len(d) != len(strings.NewReplacer(" ", "", "-", "", "+", "").Replace(strings.TrimSpace(v))) {
		return "" // other characters: a sentence, an order code
	}
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "861") && d[3] >= '3':
		return "phone"
	case len(d) == 11 && d[0] == '1' && d[1] >= '3' && !strings.ContainsAny(d, "Xx"):
		return "phone"
	case len(d) == 18 && !strings.ContainsAny(d[:17], "Xx") && idChecksum(d):
		return "id_card"
	case len(d) >= 16 && len(d) <= 19 && !strings.ContainsAny(d, "Xx") && luhn(d):
		return "bank_card"
	}
	return ""
}

func digitsAndX(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == 'X' || r == 'x' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// idChecksum checks the last character of an 18-character resident ID
// number (GB 11643), so an 18-digit order number is not taken for one.
func idChecksum(d string) bool {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d[i]-'0') * w
	}
	want := "10X98765432"[sum%11]
	last := d[17]
	if last == 'x' {
		last = 'X'
	}
	return last == want
}

func luhn(d string) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// Redacted returns the entity with a personal number masked.
func (e Entity) Redacted() Entity {
	if sensitive[e.Type] {
		e.Text, e.Value = MaskValue(e.Type, e.Text), MaskValue(e.Type, e.Value)
	}
	return e
}

// MaskSlots returns slot values with personal numbers masked: values equal
// to a sensitive entity's, and values shaped like one.
func MaskSlots(slots map[string]string, entities ...Entity) map[string]string {
	if len(slots) == 0 {
		return slots
	}
	out := make(map[string]string, len(slots))
	for k, v := range slots {
		masked := maskText(v)
		for _, e := range entities {
			if sensitive[e.Type] && e.Value == v {
				masked = MaskValue(e.Type, v)
			}
		}
		out[k] = masked
	}
	return out
}

// Redacted returns a copy of the result with personal numbers masked in the
// entities and the slots.
func (r Result) Redacted() Result {
	ents := r.Entities
	r.Entities = make([]Entity, len(ents))
	for i, e := range ents {
		r.Entities[i] = e.Redacted()
	}
	if len(ents) == 0 {
		r.Entities = ents
	}
	r.Slots = MaskSlots(r.Slots, ents...)
	return r
}

// Redacted returns a copy of the state with personal numbers masked in the
// entities in focus and in the slots.
func (s State) Redacted() State {
	focus := slices.Collect(maps.Values(s.Focus))
	if s.Focus != nil {
		masked := make(map[string]Entity, len(s.Focus))
		for role, e := range s.Focus {
			masked[role] = e.Redacted()
		}
		s.Focus = masked
	}
	s.Slots = MaskSlots(s.Slots, focus...)
	return s
}

// LogValue implements slog.LogValuer, so a state logged anywhere shows its
// task and focus with personal numbers masked.
func (s State) LogValue() slog.Value {
	r := s.Redacted()
	attrs := []slog.Attr{slog.String("active_intent", r.ActiveIntent)}
	if len(r.Slots) > 0 {
		attrs = append(attrs, slog.Any("slots", r.Slots))
	}
	if len(r.Missing) > 0 {
		attrs = append(attrs, slog.Any("missing", r.Missing))
	}
	roles := slices.Sorted(maps.Keys(r.Focus))
	for _, role := range roles {
		attrs = append(attrs, slog.String("focus_"+role, r.Focus[role].Value))
	}
	return slog.GroupValue(attrs...)
}

// LogValue implements slog.LogValuer with personal numbers masked.
func (e Entity) LogValue() slog.Value {
	r := e.Redacted()
	return slog.GroupValue(slog.String("type", r.Type), slog.String("value", r.Value))
}
