package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/console"
)

// TestBadInputNeverFails walks every route the console serves and sends it
// malformed input as an admin (who passes every permission check): bad path
// parameters, broken and mistyped JSON bodies, nonsense query parameters.
// Whatever comes back must be a client error with a stable code, never a
// 5xx.
func TestBadInputNeverFails(t *testing.T) {
	p, _ := startApp(t, t.TempDir(), nil)
	admin := login(t, p.URL(), "admin")
	// The app API and the widget get past their own authentication so their
	// bodies are read too.
	w := &walker{c: admin, app: &appClient{t: t, url: p.URL(), key: p.DemoInfo.AppKey, secret: p.DemoInfo.AppSecret}, widget: widgetSession(t, p.URL())["token"]}
	engine, ok := p.Server.Handler().(*gin.Engine)
	if !ok {
		t.Fatalf("console handler is %T, want *gin.Engine", p.Server.Handler())
	}
	ids := []string{"1", "2", "3", "abc", "-1", "0", "99999999999999999999", "987654", "%00", "1.5"}
	bodies := []string{
		``, `{`, `null`, `[]`, `"text"`, `12`,
		`{"text":12,"name":{},"status":[],"id":"x","ids":"x","date":"2026-13-45","limit":-1,"enabled":"yes"}`,
		`{"text":"` + strings.Repeat("长", 20000) + `","name":"` + strings.Repeat("x", 5000) + `"}`,
		`{"text":"\ud800","name":"\u0000","question":"🙂","answer":"","intent":"no such intent"}`,
	}
	query := "?limit=-5&offset=x&before=abc&from=yesterday&to=1e999&date=2026-02-30&status=nope&q=%FF&page=-1"
	seen, requests := 0, 0
	for _, rt := range engine.Routes() {
		if strings.HasSuffix(rt.Path, "/ws") || rt.Method == http.MethodHead || strings.HasPrefix(rt.Path, "/assets") {
			continue // websockets are tested on their own; static files have no input
		}
		if rt.Path == "/api/v1/auth/logout" {
			continue // it would end the admin's session for the routes after it
		}
		seen++
		var paths []string
		if strings.Contains(rt.Path, ":") || strings.Contains(rt.Path, "*") {
			for _, id := range ids {
				paths = append(paths, fillParams(rt.Path, id))
			}
		} else {
			paths = []string{rt.Path}
		}
		for _, path := range paths {
			switch rt.Method {
			case http.MethodGet, http.MethodDelete:
				requests += 2
				probe(t, w, rt.Method, path, "", rt.Path)
				probe(t, w, rt.Method, path+query, "", rt.Path)
			default:
				for _, b := range bodies {
					requests++
					probe(t, w, rt.Method, path, b, rt.Path)
				}
			}
		}
	}
	if seen < 60 {
		t.Errorf("walked %d routes; the console serves more than that — was the route table read?", seen)
	}
	t.Logf("%d routes, %d requests, no server error", seen, requests)
}

func fillParams(path, v string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = v
		}
	}
	return strings.Join(parts, "/")
}

// walker holds the credentials of the three kinds of caller: a console
// user, an app's servers, a widget visitor.
type walker struct {
	c      *consoleClient
	app    *appClient
	widget string
}

func probe(t *testing.T, w *walker, method, path, body, route string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = bytes.NewReader([]byte(body))
	}
	c := w.c
	req, err := http.NewRequest(method, c.url+path, r)
	if err != nil {
		return // not a URL a client could send
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	switch {
	case strings.HasPrefix(path, "/api/v1/app/"):
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("X-Kefu-Key", w.app.key)
		req.Header.Set("X-Kefu-Timestamp", stamp)
		req.Header.Set("X-Kefu-Signature", console.Sign(w.app.secret, stamp, []byte(body)))
	case strings.HasPrefix(path, "/api/v1/widget/"):
		req.Header.Set("X-Widget-Token", w.widget)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	short := body
	if len(short) > 60 {
		short = short[:60] + "…"
	}
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s (%s) body %q: %d %s", method, path, route, short, resp.StatusCode, trunc(string(raw), 300))
		return
	}
	if resp.StatusCode >= 400 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" {
			t.Errorf("%s %s (%s) body %q: %d without an error code: %s", method, path, route, short, resp.StatusCode, trunc(string(raw), 300))
		}
		if goism.MatchString(e.Error.Message) {
			t.Errorf("%s %s (%s) body %q: the message speaks Go: %s", method, path, route, short, e.Error.Message)
		}
	}
}

// goism matches what an error message must not show a client: Go type
// names and formatting slips.
var goism = regexp.MustCompile(`\b(console|appliance|nlu|knowledge|connectors|store|gorm|json)\.[A-Z]|struct \{|map\[|<nil>|%!|\bUnmarshal`)

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s…", s[:n])
}
