package channeltest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kefu/appliance"
	"kefu/connectors"
)

// Subject is one adapter under test, wired to a Receiver and to a fake of
// its platform's API.
type Subject struct {
	Handler http.Handler
	Channel appliance.Channel
	// Push returns a valid, signed push carrying one text message.
	Push func(t *testing.T, user, msgID, text string) *http.Request
	// BadSignature returns the same push with a wrong signature.
	BadSignature func(t *testing.T, user, msgID, text string) *http.Request
	// Stale returns a validly signed push with a timestamp outside the
	// replay window; nil when the platform signs no timestamp.
	Stale func(t *testing.T, user, msgID, text string) *http.Request
	// Malformed returns a validly signed push whose body is not a message.
	Malformed func(t *testing.T) *http.Request
	// Identity is the identity a user's messages must carry.
	Identity func(user string) appliance.Identity
	// Replies returns the reply texts a user got: passive replies read from
	// the given push responses plus messages the platform fake accepted.
	Replies func(t *testing.T, user string, responses [][]byte) []string
	// FailNextSend makes the platform fake refuse the next send with an
	// error code the adapter cannot fix by retrying.
	FailNextSend func()
	// Settle waits for background work (asynchronous delivery, sync loops).
	Settle func()
}

// Harness builds a fresh Subject around a Receiver.
type Harness func(t *testing.T, rec *Receiver) Subject

// Run runs the contract every channel adapter passes.
func Run(t *testing.T, channel string, h Harness) {
	serve := func(s Subject, r *http.Request) (int, []byte) {
		w := httptest.NewRecorder()
		s.Handler.ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, b
	}

	t.Run("push becomes exactly one inbound", func(t *testing.T) {
		rec := NewReceiver()
		s := h(t, rec)
		code, body := serve(s, s.Push(t, "user1", "1001", "有没有儿童雨靴"))
		if code != http.StatusOK {
			t.Fatalf("status: got %d (%s), want 200", code, body)
		}
		s.Settle()
		in := rec.Inbounds()
		if len(in) != 1 {
			t.Fatalf("inbounds: got %d, want 1", len(in))
		}
		if in[0].Channel != channel {
			t.Errorf("channel: got %q, want %q", in[0].Channel, channel)
		}
		if in[0].MessageID != "1001" {
			t.Errorf("message id: got %q, want 1001", in[0].MessageID)
		}
		want := s.Identity("user1")
		if got := in[0].Identity; got.Kind != want.Kind || got.Namespace != want.Namespace || got.Value != want.Value {
			t.Errorf("identity: got %+v, want %+v", got, want)
		}
		if in[0].Text != "有没有儿童雨靴" || in[0].Kind != appliance.KindText {
			t.Errorf("message: got %s %q, want text 有没有儿童雨靴", in[0].Kind, in[0].Text)
		}
		if got := s.Replies(t, "user1", [][]byte{body}); len(got) != 1 || got[0] != "re: 有没有儿童雨靴" {
			t.Errorf("replies: got %q, want [re: 有没有儿童雨靴]", got)
		}
	})

	t.Run("retried push is answered once", func(t *testing.T) {
		rec := NewReceiver()
		s := h(t, rec)
		var bodies [][]byte
		for range 3 {
			code, body := serve(s, s.Push(t, "user2", "2002", "那雨靴有35码吗"))
			if code != http.StatusOK {
				t.Fatalf("status: got %d (%s), want 200", code, body)
			}
			bodies = append(bodies, body)
		}
		s.Settle()
		if n := len(rec.Inbounds()); n != 1 {
			t.Fatalf("inbounds: got %d, want 1", n)
		}
		if got := s.Replies(t, "user2", bodies); len(got) != 1 {
			t.Fatalf("replies: got %d %q, want exactly 1", len(got), got)
		}
	})

	rejected := func(name string, build func(t *testing.T, s Subject) *http.Request) {
		t.Run(name, func(t *testing.T) {
			rec := NewReceiver()
			s := h(t, rec)
			r := build(t, s)
			if r == nil {
				t.Skip("not applicable to this platform")
			}
			code, body := serve(s, r)
			if code < 400 || code > 499 {
				t.Fatalf("status: got %d (%s), want 4xx", code, body)
			}
			s.Settle()
			if n := rec.Calls(); n != 0 {
				t.Fatalf("Receive calls: got %d, want 0", n)
			}
		})
	}
	rejected("bad signature is rejected", func(t *testing.T, s Subject) *http.Request {
		return s.BadSignature(t, "user3", "3003", "你好")
	})
	rejected("stale timestamp is rejected", func(t *testing.T, s Subject) *http.Request {
		if s.Stale == nil {
			return nil
		}
		return s.Stale(t, "user3", "3004", "你好")
	})
	rejected("malformed body is rejected", func(t *testing.T, s Subject) *http.Request {
		return s.Malformed(t)
	})

	t.Run("deliver sends to the platform", func(t *testing.T) {
		rec := NewReceiver()
		s := h(t, rec)
		// The customer writes first: platforms only allow answers to
		// customers who wrote (48-hour window, conversation context).
		serve(s, s.Push(t, "user4", "4004", "在吗"))
		s.Settle()
		to := s.Identity("user4")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Channel.Deliver(ctx, &to, &appliance.Message{ID: 99, Kind: appliance.KindText, Sender: appliance.SenderAgent, Text: "人工客服为您服务"}); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		got := s.Replies(t, "user4", nil)
		if len(got) == 0 || got[len(got)-1] != "人工客服为您服务" {
			t.Fatalf("platform got %q, want it to end with 人工客服为您服务", got)
		}
	})

	t.Run("deliver surfaces API errors", func(t *testing.T) {
		rec := NewReceiver()
		s := h(t, rec)
		serve(s, s.Push(t, "user5", "5005", "在吗"))
		s.Settle()
		s.FailNextSend()
		to := s.Identity("user5")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.Channel.Deliver(ctx, &to, &appliance.Message{ID: 98, Kind: appliance.KindText, Text: "x"})
		var apiErr *connectors.APIError
		if !errors.As(err, &apiErr) || apiErr.Code == 0 {
			t.Fatalf("Deliver: got %v, want a *connectors.APIError", err)
		}
	})
}
