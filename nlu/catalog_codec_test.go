package nlu_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"kefu/nlu"
	"kefu/nlu/catalogs"
)

// Every shipped catalog survives the round trips the console makes: to YAML
// and back, and to JSON and back.
func TestCatalogRoundTrips(t *testing.T) {
	for _, name := range catalogs.Names() {
		c, err := catalogs.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		y, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		fromYAML, err := nlu.ParseCatalog(y, name+".yaml")
		if err != nil {
			t.Fatalf("%s: the YAML it wrote does not parse: %v\n%s", name, err, y)
		}
		if !reflect.DeepEqual(fromYAML.Intents, c.Intents) || !reflect.DeepEqual(fromYAML.Terms, c.Terms) ||
			!reflect.DeepEqual(fromYAML.OutOfScope, c.OutOfScope) || fromYAML.Name != c.Name {
			t.Errorf("%s: YAML round trip changed the catalog", name)
		}
		j, _ := json.Marshal(c)
		fromJSON, err := nlu.ParseCatalogJSON(j, "console")
		if err != nil {
			t.Fatalf("%s: JSON round trip: %v", name, err)
		}
		if !reflect.DeepEqual(fromJSON.Intents, c.Intents) || !reflect.DeepEqual(fromJSON.Terms, c.Terms) {
			t.Errorf("%s: JSON round trip changed the catalog", name)
		}
		if in, ex := c.Counts(); in != len(c.Intents) || ex != len(c.Examples()) {
			t.Errorf("%s: Counts() = %d, %d; want %d, %d", name, in, ex, len(c.Intents), len(c.Examples()))
		}
	}
}

func TestParseCatalogJSONErrors(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{``, "empty"},
		{`{"name":"x","intents":[{"name":"a","examples":{"zh":["x","y"]},"fulfilment":{"kind":"knowledge"}}],"colour":1}`, "colour"},
		{`{"name":"x","intents":[{"name":"a","examples":{"zh":["x"]},"fulfilment":{"kind":"knowledge"}}]}`, `intent "a": examples: an intent needs at least 2 examples`},
		{`{"name":"x","intents":[]} {}`, "unexpected data"},
		{`{"name":"x","intents":"a"}`, "intents"},
	} {
		_, err := nlu.ParseCatalogJSON([]byte(tc.json), "console")
		var ce *nlu.CatalogError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "console") {
			t.Errorf("%s: got %v, want a catalog error mentioning %q", tc.json, err, tc.want)
		}
	}
}
