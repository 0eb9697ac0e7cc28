package console

import (
	"testing"

	"kefu/appliance"
)

// Which calls tell the other nodes of a cluster to reload what they keep in
// memory: the edits, not the reads, the dry runs or the previews.
func TestRouteChanges(t *testing.T) {
	want := map[string]string{
		"PUT /api/v1/nlu/catalog":                      appliance.ChangedCatalog,
		"POST /api/v1/nlu/catalog/validate":            "",
		"GET /api/v1/nlu/catalog":                      "",
		"POST /api/v1/knowledge/uploads":               appliance.ChangedKnowledge,
		"POST /api/v1/knowledge/faqs":                  appliance.ChangedKnowledge,
		"PUT /api/v1/knowledge/items/:id":              appliance.ChangedKnowledge,
		"POST /api/v1/knowledge/items/:id/transitions": appliance.ChangedKnowledge,
		"POST /api/v1/knowledge/try":                   "",
		"GET /api/v1/knowledge/items":                  "",
		"POST /api/v1/qa/rules":                        appliance.ChangedQARules,
		"PUT /api/v1/qa/rules/:id":                     appliance.ChangedQARules,
		"DELETE /api/v1/qa/rules/:id":                  appliance.ChangedQARules,
		"POST /api/v1/qa/check":                        "",
		"POST /api/v1/channels/accounts":               appliance.ChangedChannels,
		"DELETE /api/v1/channels/accounts/:id":         appliance.ChangedChannels,
		"PUT /api/v1/playbooks/:name":                  appliance.ChangedPlaybooks,
		"POST /api/v1/playbooks/:name/check":           "",
		"POST /api/v1/conversations/:id/messages":      "",
	}
	s := &Server{}
	seen := map[string]bool{}
	for _, rt := range s.routes() {
		key := rt.method + " " + rt.path
		w, ok := want[key]
		if !ok {
			continue
		}
		seen[key] = true
		if got := changes(rt); got != w {
			t.Errorf("%s announces %q, want %q", key, got, w)
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("%s is not a route any more; update the test", key)
		}
	}
}
