package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"kefu/console"
)

// Small clients of the appliance's own HTTP APIs, for `kefu bench handoff`
// and the hand-off tests: a logged-in console user and a signing app server.

// apiError is a non-2xx answer with the server's stable code.
type apiError struct {
	Status int
	Code   string
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Body) }

func doJSON(ctx context.Context, hc *http.Client, req *http.Request, out any) error {
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal(data, &e)
		return &apiError{Status: resp.StatusCode, Code: e.Error.Code, Body: string(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return nil
}

// consoleSession is a logged-in console user.
type consoleSession struct {
	base string
	http *http.Client
	csrf string
	ID   int64
}

func consoleLogin(ctx context.Context, base, username, password string) (*consoleSession, error) {
	jar, _ := cookiejar.New(nil)
	c := &consoleSession{base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var me struct {
		CSRFToken string `json:"csrf_token"`
		User      struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	if err := c.call(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &me); err != nil {
		return nil, fmt.Errorf("login %s: %w", username, err)
	}
	c.csrf, c.ID = me.CSRFToken, me.User.ID
	return c, nil
}

func (c *consoleSession) call(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	return doJSON(ctx, c.http, req, out)
}

// consoleEvent is a frame of the console WebSocket.
type consoleEvent struct {
	Type         string `json:"type"`
	Conversation *struct {
		ID         int64      `json:"id"`
		Status     string     `json:"status"`
		AssigneeID int64      `json:"assignee_id"`
		HandoffAt  *time.Time `json:"handoff_at"`
	} `json:"conversation"`
	Message *struct {
		ID             int64  `json:"id"`
		ConversationID int64  `json:"conversation_id"`
		Text           string `json:"text"`
		Sender         string `json:"sender"`
	} `json:"message"`
	Alert *struct {
		Kind           string `json:"kind"`
		ConversationID int64  `json:"conversation_id"`
		UserID         int64  `json:"user_id"`
		Text           string `json:"text"`
	} `json:"alert"`
}

// watch opens the console WebSocket and calls f with every event until ctx
// ends or the socket closes; it returns once the socket is open.
func (c *consoleSession) watch(ctx context.Context, f func(consoleEvent)) error {
	url := "ws" + strings.TrimPrefix(c.base, "http") + "/api/v1/console/ws"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: c.http})
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	go func() {
		defer conn.CloseNow()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var e consoleEvent
			if json.Unmarshal(data, &e) == nil {
				f(e)
			}
		}
	}()
	return nil
}

// appServer signs requests to the app API like an enterprise app's server.
type appServer struct {
	base, key, secret string
	http              *http.Client
}

func (a *appServer) call(ctx context.Context, method, path string, body, out any) error {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, a.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Kefu-Key", a.key)
	req.Header.Set("X-Kefu-Timestamp", ts)
	req.Header.Set("X-Kefu-Signature", console.Sign(a.secret, ts, b))
	return doJSON(ctx, a.http, req, out)
}

// appReplyBody is the app API's answer to a message.
type appReplyBody struct {
	ConversationID int64 `json:"conversation_id"`
	Replies        []struct {
		ID   int64  `json:"id"`
		Text string `json:"text"`
		From string `json:"from"`
	} `json:"replies"`
}

func (a *appServer) say(ctx context.Context, userID, msgID, text string) (*appReplyBody, error) {
	var out appReplyBody
	err := a.call(ctx, "POST", "/api/v1/app/messages", map[string]string{"user_id": userID, "message_id": msgID, "text": text}, &out)
	return &out, err
}
