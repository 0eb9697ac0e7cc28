package nlu_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"kefu/nlu"
	"kefu/nlu/entity"
)

func TestRedaction(t *testing.T) {
	x, err := entity.New(entity.Config{})
	if err != nil {
		t.Fatal(err)
	}
	text := "手机13912345678 身份证110105199003071239 卡号6222021234567890128 订单号E202611230001"
	ents := x.Extract(text, t0)
	types := map[string]string{}
	for _, e := range ents {
		types[e.Type] = e.Value
	}
	for _, typ := range []string{"phone", "id_card", "bank_card", "order_no"} {
		if types[typ] == "" {
			t.Fatalf("extractor found %v, want a %s", ents, typ)
		}
	}
	res := nlu.Result{Intent: "withdraw", Entities: ents, Slots: map[string]string{"card": types["bank_card"], "phone": types["phone"],
		"order": types["order_no"], "llm_card": "6222 0212 3456 7890 128", "amount": "CNY 5000"}}
	red := res.Redacted()
	st := nlu.State{ActiveIntent: "withdraw", Slots: res.Slots, Focus: map[string]nlu.Entity{}}
	for _, e := range ents {
		st.Focus[e.Type] = e
	}
	rst := st.Redacted()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("state", slog.Any("state", st), slog.Any("entity", ents[0]))

	for _, secret := range []string{"13912345678", "110105199003071239", "6222021234567890128", "1234567890"} {
		for where, s := range map[string]string{"result": sprint(red), "state": sprint(rst), "log": logged.String()} {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows %s: %s", where, secret, s)
			}
		}
	}
	// An 18-digit order number is no ID number: its checksum does not match.
	if got := nlu.MaskSlots(map[string]string{"o": "202611230000012345"})["o"]; got != "202611230000012345" {
		t.Errorf("18-digit order number: got %q, want it readable", got)
	}
	if red.Slots["order"] != types["order_no"] || rst.Focus["order_no"].Value != types["order_no"] || red.Slots["amount"] != "CNY 5000" {
		t.Errorf("order numbers and amounts must stay readable: got %v / %v", red.Slots, rst.Focus["order_no"])
	}
	if got := rst.Focus["phone"].Value; got != "139****5678" {
		t.Errorf("masked phone: got %q, want 139****5678", got)
	}
	if got := rst.Focus["id_card"].Value; got != "110105********1239" {
		t.Errorf("masked ID: got %q, want 110105********1239", got)
	}
	if got := red.Slots["card"]; got != "6222 **** **** 0128" {
		t.Errorf("masked card: got %q, want 6222 **** **** 0128", got)
	}
	// The originals are untouched: actions still need the numbers.
	if st.Focus["phone"].Value != "13912345678" || res.Entities[0].Value == red.Entities[0].Value {
		t.Errorf("Redacted modified its receiver")
	}
	if !strings.Contains(logged.String(), "withdraw") || !strings.Contains(logged.String(), "139****5678") {
		t.Errorf("log lacks the intent or the masked phone: %s", logged.String())
	}
}

// sprint lists every entity and slot value of a result or a state.
func sprint(v any) string {
	switch v := v.(type) {
	case nlu.Result:
		var b strings.Builder
		for _, e := range v.Entities {
			b.WriteString(e.Text + " " + e.Value + " ")
		}
		for k, s := range v.Slots {
			b.WriteString(k + "=" + s + " ")
		}
		return b.String()
	case nlu.State:
		var b strings.Builder
		for k, e := range v.Focus {
			b.WriteString(k + "=" + e.Text + " " + e.Value + " ")
		}
		for k, s := range v.Slots {
			b.WriteString(k + "=" + s + " ")
		}
		return b.String()
	}
	return ""
}
