package catalogs

import (
	"slices"
	"testing"

	"kefu/nlu"
)

func TestShippedCatalogsLoad(t *testing.T) {
	want := []string{"ecommerce", "education", "finance", "travel"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		c, err := Load(name)
		if err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
		for _, in := range c.Intents {
			n := len(in.Examples.All())
			if n < 15 || n > 40 {
				t.Errorf("%s/%s: got %d examples, want 15–40", name, in.Name, n)
			}
			for _, s := range in.Slots {
				if s.Required && s.Ask.En == "" {
					t.Errorf("%s/%s: required slot %s has no English question", name, in.Name, s.Name)
				}
			}
		}
		for _, builtin := range []string{"handoff", "greeting", "thanks", "goodbye"} {
			if _, ok := c.Intent(builtin); !ok {
				t.Errorf("%s: built-in intent %q missing", name, builtin)
			}
		}
	}
}

func TestPolicyFlags(t *testing.T) {
	ec := mustLoad(t, "ecommerce")
	if in, ok := ec.Intent("damaged_compensation"); !ok || !in.Handoff {
		t.Errorf("damaged_compensation: got handoff=false, want true")
	}
	fin := mustLoad(t, "finance")
	for _, name := range []string{"withdraw", "transfer", "change_phone"} {
		if in, ok := fin.Intent(name); !ok || !in.RequiresVerification {
			t.Errorf("%s: got requires_verification=false, want true", name)
		}
	}
	if in, ok := fin.Intent("investment_products"); !ok || !in.RiskDisclosure {
		t.Errorf("investment_products: got risk_disclosure=false, want true")
	}
	tr := mustLoad(t, "travel")
	if in, ok := tr.Intent("hotel_search"); !ok || in.Fulfilment.Kind != "flow" {
		t.Errorf("hotel_search: want a flow")
	}
	if _, err := Load("casino"); err == nil {
		t.Errorf("Load(casino): got nil error, want unknown catalog")
	}
}

func mustLoad(t *testing.T, name string) *nlu.Catalog {
	t.Helper()
	c, err := Load(name)
	if err != nil {
		t.Fatalf("Load(%q): %v", name, err)
	}
	return c
}
