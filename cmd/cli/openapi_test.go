package cli

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestOpenAPICoversEveryRoute: the OpenAPI document the appliance serves
// parses, and documents every API route it serves with the same method, so
// an endpoint added without documentation fails here.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	resp, err := http.Get(p.URL() + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d %v", resp.StatusCode, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	param := regexp.MustCompile(`[:*]([A-Za-z_]+)`)
	routes := p.Server.Handler().(*gin.Engine).Routes()
	documented := 0
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Path, "/api/") {
			continue // health, metrics, static files and channel webhooks are not the API
		}
		path := param.ReplaceAllString(rt.Path, "{$1}")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", rt.Method, path)
			continue
		}
		if _, ok := ops[strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is served but the document has only %v", rt.Method, path, keys(ops))
			continue
		}
		documented++
	}
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		for method := range ops {
			if method == "parameters" {
				continue
			}
			found := false
			for _, rt := range routes {
				if strings.EqualFold(rt.Method, method) && param.ReplaceAllString(rt.Path, "{$1}") == path {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("the document has %s %s, which the appliance does not serve", strings.ToUpper(method), path)
			}
		}
	}
	t.Logf("%d API routes, all documented", documented)
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
