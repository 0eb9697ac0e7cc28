package actions

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// backend is a fake business system that checks what a real one would:
// the bearer token, the method, and the escaped path.
func backend(t testing.TB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"unauthorized"}`)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /orders/{no}", auth(func(w http.ResponseWriter, r *http.Request) {
		status := map[string]string{"E1001": "shipped", "E1002": "delivered"}[r.PathValue("no")]
		if status == "" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"order":{"no":%q,"carrier":"顺丰","tracking":"SF123","status":%q,"user":%q}}`, r.PathValue("no"), status, r.URL.Query().Get("user_id"))
	}))
	mux.HandleFunc("GET /slow", auth(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, `{}`)
	}))
	mux.HandleFunc("GET /broken", auth(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":"db down"}`)
	}))
	mux.HandleFunc("GET /garbled", auth(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"order": {"no": "E1001"`)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

const doc = `
endpoints:
  shop: {base_url: "http://placeholder.invalid", auth: {header: Authorization, prefix: "Bearer ", secret: shop}}
secrets:
  shop: {env: SHOP_TOKEN}
actions:
  - name: order.track
    endpoint: shop
    method: GET
    path: /orders/{{.slots.order_no}}
    query: {user_id: "{{.customer.user_id}}"}
    needs: [slots.order_no]
    missing: {zh: 请问订单号是多少？}
    not_found: {zh: "没有查到订单{{.slots.order_no}}。"}
    response:
      fields: {no: order.no, carrier: order.carrier, tracking: order.tracking, status: order.status, user: order.user}
      focus: [{role: order, type: order_no, field: no}]
      replies:
        - when: {field: status, equals: shipped}
          text: {zh: "订单{{.no}}已发{{.carrier}}，物流单号 {{.tracking}}", en: "Order {{.no}} shipped"}
        - when: {field: status, equals: delivered}
          declined: true
          text: {zh: "订单{{.no}}已签收，无需催件。"}
      text: {zh: "订单{{.no}}处理中"}
  - {name: slow, endpoint: shop, method: GET, path: /slow, timeout: 100ms, on_failure: {handoff: true}}
  - {name: broken, endpoint: shop, method: GET, path: /broken, on_failure: {text: {zh: 系统维护中，请稍后再试。}}}
  - {name: garbled, endpoint: shop, method: GET, path: /garbled}
  - {name: elsewhere, url: "https://evil.example.com/steal", method: GET}
`

func newRunner(t testing.TB, srv *httptest.Server) *Runner {
	t.Helper()
	r, err := New(Options{BaseURLs: map[string]string{"shop": srv.URL},
		Secret: func(ref SecretRef) (string, error) {
			if ref.Env == "SHOP_TOKEN" {
				return "s3cret", nil
			}
			return "", nil
		}}, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var demoCustomer = &appliance.Customer{ID: 7, Identities: []appliance.Identity{{Kind: appliance.IdentityAppUser, Value: "demo-1001", Verified: true}}}

func TestCallMapsResponseIntoReply(t *testing.T) {
	r := newRunner(t, backend(t))
	res, err := r.Call(context.Background(), "order.track", appliance.ActionInput{Customer: demoCustomer, Slots: map[string]string{"order_no": "E1001"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "订单E1001已发顺丰，物流单号 SF123"; res.Text != want || res.Failure != "" {
		t.Fatalf("got %q (failure %q), want %q", res.Text, res.Failure, want)
	}
	if res.Fields["user"] != "demo-1001" {
		t.Errorf("user_id sent: got %v, want demo-1001 from the customer's app identity", res.Fields["user"])
	}
	if f := res.Focus["order"]; f.Type != "order_no" || f.Value != "E1001" {
		t.Errorf("focus: got %+v, want the order in focus", f)
	}
	en, _ := r.Call(context.Background(), "order.track", appliance.ActionInput{Lang: "en", Slots: map[string]string{"order_no": "E1001"}})
	if en.Text != "Order E1001 shipped" {
		t.Errorf("english: got %q", en.Text)
	}
}

// A reply marked declined is the business system's refusal: said, with the
// fields mapped, but not a success the playbook acts on.
func TestCallDeclined(t *testing.T) {
	r := newRunner(t, backend(t))
	res, err := r.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "E1002"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Declined || res.Failure != "" || res.Text != "订单E1002已签收，无需催件。" || res.Detail["outcome"] != "declined" {
		t.Errorf("delivered: got declined %v failure %q text %q outcome %v, want declined with its reply", res.Declined, res.Failure, res.Text, res.Detail["outcome"])
	}
	if res.Fields["status"] != "delivered" {
		t.Errorf("fields: got %v, want the order's status mapped", res.Fields)
	}
	ok, _ := r.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "E1001"}})
	if ok.Declined || ok.Detail["outcome"] != "ok" {
		t.Errorf("shipped: got declined %v outcome %v, want ok", ok.Declined, ok.Detail["outcome"])
	}
}

func TestCallNotFoundAndMissingInput(t *testing.T) {
	r := newRunner(t, backend(t))
	res, _ := r.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "E404"}})
	if res.Text != "没有查到订单E404。" || res.Failure != FailNotFound {
		t.Errorf("not found: got %q / %q", res.Text, res.Failure)
	}
	res, _ = r.Call(context.Background(), "order.track", appliance.ActionInput{})
	if res.Text != "请问订单号是多少？" || res.Failure != FailMissing {
		t.Errorf("missing: got %q / %q", res.Text, res.Failure)
	}
	// A slot cannot add path segments or change the host.
	res, _ = r.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "../broken"}})
	if res.Failure != FailNotFound {
		t.Errorf("escaped path: got failure %q, want not_found (the slot stays one segment)", res.Failure)
	}
}

func TestCallFailuresArePolite(t *testing.T) {
	r := newRunner(t, backend(t))
	cases := []struct {
		action, reason, text string
		handoff              bool
	}{
		{"slow", FailTimeout, defaultFailure.Zh, true},
		{"broken", "status_500", "系统维护中，请稍后再试。", false},
		{"garbled", FailBadJSON, defaultFailure.Zh, false},
		{"elsewhere", FailHostRefused, defaultFailure.Zh, false},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			start := time.Now()
			res, err := r.Call(context.Background(), c.action, appliance.ActionInput{})
			if err != nil {
				t.Fatalf("got error %v, want a polite result", err)
			}
			if res.Failure != c.reason || res.Text != c.text || res.Handoff != c.handoff {
				t.Errorf("got failure %q text %q handoff %v, want %q %q %v", res.Failure, res.Text, res.Handoff, c.reason, c.text, c.handoff)
			}
			if strings.Contains(res.Text, "error") || strings.Contains(res.Text, "500") {
				t.Errorf("raw error leaked: %q", res.Text)
			}
			if c.action == "slow" && time.Since(start) > time.Second {
				t.Errorf("timeout took %v, want about 100ms", time.Since(start))
			}
		})
	}
	if _, err := r.Call(context.Background(), "nope", appliance.ActionInput{}); appliance.ErrorCode(err) != "action_not_found" {
		t.Errorf("unknown action: got %v, want action_not_found", err)
	}
}

func TestRunThroughEngineInterface(t *testing.T) {
	r := newRunner(t, backend(t))
	var a appliance.Actions = r
	tr := &appliance.Turn{Customer: demoCustomer, Lang: "zh"}
	tr.Dialogue.Filled = map[string]string{"order_no": "E1001"}
	res, err := a.Run(context.Background(), "order.track", tr)
	if err != nil || !strings.Contains(res.Text, "SF123") {
		t.Fatalf("got %v %v, want the tracking number", res, err)
	}
}

func TestWrongSecretIsRefusedByBackend(t *testing.T) {
	srv := backend(t)
	r, err := New(Options{BaseURLs: map[string]string{"shop": srv.URL}, Secret: func(SecretRef) (string, error) { return "wrong", nil }}, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := r.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "E1001"}})
	if res.Failure != "status_401" {
		t.Errorf("got failure %q, want status_401", res.Failure)
	}
	r2, _ := New(Options{BaseURLs: map[string]string{"shop": srv.URL}, Secret: func(SecretRef) (string, error) { return "", nil }}, []byte(doc))
	res, _ = r2.Call(context.Background(), "order.track", appliance.ActionInput{Slots: map[string]string{"order_no": "E1001"}})
	if res.Failure != FailSecret {
		t.Errorf("got failure %q, want %s", res.Failure, FailSecret)
	}
}

func TestParseRejectsBadDocuments(t *testing.T) {
	cases := map[string]string{
		"unknown endpoint":  "actions: [{name: a, endpoint: nope, method: GET, path: /x}]",
		"bad method":        "endpoints: {s: {base_url: 'http://x'}}\nactions: [{name: a, endpoint: s, method: FETCH, path: /x}]",
		"bad template":      "endpoints: {s: {base_url: 'http://x'}}\nactions: [{name: a, endpoint: s, method: GET, path: '/x/{{.slots'}]",
		"undeclared secret": "endpoints: {s: {base_url: 'http://x', auth: {header: A, secret: k}}}\nactions: []",
		"bad base url":      "endpoints: {s: {base_url: 'ftp://x'}}\nactions: []",
		"unknown key":       "actions: []\nendpont: {}",
		"duplicate":         "endpoints: {s: {base_url: 'http://x'}}\nactions: [{name: a, endpoint: s, method: GET, path: /x}, {name: a, endpoint: s, method: GET, path: /y}]",
	}
	for name, d := range cases {
		if _, err := Parse([]byte(d)); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}
