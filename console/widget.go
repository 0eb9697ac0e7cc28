package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// The web widget authenticates with a visitor token: the visitor id signed
// by the appliance. The widget keeps it in localStorage; nobody can read
// another visitor's conversation by guessing an id.
const widgetPurpose = "widget-visitor"

type widgetSessionRequest struct {
	Token string `json:"token"`
}

type widgetSessionResponse struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"token"`
	Greeting  string `json:"greeting"`
}

func (s *Server) widgetSession(c *gin.Context) {
	var req widgetSessionRequest
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := s.checkWidgetOrigin(c); err != nil {
		s.fail(c, err)
		return
	}
	visitor, ok := s.Box.Verify(widgetPurpose, req.Token)
	if !ok {
		b := make([]byte, 16)
		rand.Read(b)
		visitor = "v_" + hex.EncodeToString(b)
	}
	c.JSON(http.StatusOK, widgetSessionResponse{VisitorID: visitor, Token: s.Box.Sign(widgetPurpose, visitor),
		Greeting: "您好，我是智能客服，请问有什么可以帮您？"})
}

func (s *Server) checkWidgetOrigin(c *gin.Context) error {
	origin := c.GetHeader("Origin")
	if origin == "" || len(s.AllowedOrigins) == 0 {
		return nil
	}
	for _, o := range s.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return nil
		}
	}
	if sameOrigin(c.Request, origin) {
		return nil
	}
	return appliance.Errorf(appliance.EFORBIDDEN, "origin_not_allowed", "this site may not embed the widget")
}

func sameOrigin(r *http.Request, origin string) bool {
	o := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
	return strings.EqualFold(o, r.Host)
}

func (s *Server) widgetVisitor(c *gin.Context, token string) (string, error) {
	visitor, ok := s.Box.Verify(widgetPurpose, token)
	if !ok {
		return "", unauthorized("bad_token", "the widget token is missing or invalid")
	}
	return visitor, nil
}

func widgetIdentity(visitor string) appliance.Identity {
	return appliance.Identity{Kind: appliance.IdentityWebVisitor, Value: visitor}
}

// widgetCustomer returns the visitor's customer id, 0 when they never wrote.
func (s *Server) widgetCustomer(ctx context.Context, visitor string) (int64, error) {
	id, err := s.Store.FindIdentity(ctx, appliance.IdentityWebVisitor, "", visitor)
	if appliance.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	cust, err := s.Store.Customer(ctx, id.CustomerID)
	if err != nil {
		return 0, err
	}
	return cust.ID, nil
}

// widgetMessage is a message as the widget shows it.
type widgetMessage struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	From           string    `json:"from"`
	Text           string    `json:"text"`
	ClientID       string    `json:"client_id,omitempty"` // the widget's own message id, for its echo
	CreatedAt      time.Time `json:"created_at"`
	// Payload is what the widget renders richly (the survey's buttons).
	Payload json.RawMessage `json:"payload,omitempty"`
}

func toWidget(m *appliance.Message) widgetMessage {
	w := widgetMessage{ID: m.ID, ConversationID: m.ConversationID, From: string(m.Sender), Text: m.Text, CreatedAt: m.CreatedAt}
	if m.Sender == appliance.SenderCustomer {
		w.ClientID = m.ChannelMsgID
	} else {
		w.Payload = m.Payload
	}
	return w
}

type widgetSend struct {
	MessageID string `json:"message_id"`
	Text      string `json:"text"`
}

func (s *Server) receiveWidget(ctx context.Context, visitor string, req widgetSend) (*appliance.Outcome, error) {
	return s.Engine.Receive(ctx, appliance.Inbound{Channel: "web", MessageID: req.MessageID, Text: req.Text,
		Kind: appliance.KindText, Identity: widgetIdentity(visitor)})
}

// widgetPostMessage is the HTTP fallback of the widget's WebSocket.
func (s *Server) widgetPostMessage(c *gin.Context) {
	visitor, err := s.widgetVisitor(c, c.GetHeader("X-Widget-Token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var req widgetSend
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.receiveWidget(c.Request.Context(), visitor, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	replies := make([]widgetMessage, len(out.Replies))
	for i, r := range out.Replies {
		replies[i] = toWidget(r)
	}
	c.JSON(http.StatusOK, gin.H{"message": toWidget(out.Message), "replies": replies})
}

func (s *Server) widgetGetMessages(c *gin.Context) {
	visitor, err := s.widgetVisitor(c, c.GetHeader("X-Widget-Token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	after, err := queryInt(c, "after", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	msgs, err := s.widgetBacklog(c.Request.Context(), visitor, after)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"messages": msgs})
}

func (s *Server) widgetBacklog(ctx context.Context, visitor string, after int64) ([]widgetMessage, error) {
	out := []widgetMessage{}
	cust, err := s.widgetCustomer(ctx, visitor)
	if err != nil || cust == 0 {
		return out, err
	}
	msgs, err := s.Store.Messages(ctx, appliance.MessageFilter{CustomerID: cust, AfterID: after, CustomerOnly: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		out = append(out, toWidget(m))
	}
	return out, nil
}

// Frames on the widget socket.
type widgetFrame struct {
	Type      string         `json:"type"` // client: send, ping; server: message, ack, error, status, pong
	MessageID string         `json:"message_id,omitempty"`
	Text      string         `json:"text,omitempty"`
	Message   *widgetMessage `json:"message,omitempty"`
	ID        int64          `json:"id,omitempty"`
	Status    string         `json:"status,omitempty"`
	Code      string         `json:"code,omitempty"`
	Error     string         `json:"error,omitempty"`
}

// widgetWS is the widget's live channel. On connect it replays every message
// after the client's cursor (?after=), then streams new ones; a client that
// reconnects with its last id misses nothing and sees nothing twice.
func (s *Server) widgetWS(c *gin.Context) {
	visitor, err := s.widgetVisitor(c, c.Query("token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	after, err := queryInt(c, "after", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.checkWidgetOrigin(c); err != nil {
		s.fail(c, err)
		return
	}
	conn, err := websocket.Accept(wsWriter{c.Writer}, c.Request, &websocket.AcceptOptions{InsecureSkipVerify: true}) // origin checked above
	if err != nil {
		s.log.Debug("widget socket not accepted", "error", err)
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 10)
	s.Metrics.wsClients.WithLabelValues("widget").Inc()
	defer s.Metrics.wsClients.WithLabelValues("widget").Dec()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	custID, err := s.widgetCustomer(ctx, visitor)
	if err != nil {
		conn.Close(websocket.StatusInternalError, "internal error")
		return
	}
	var customer atomic.Int64
	customer.Store(custID)
	sub := s.Hub.Subscribe(func(e appliance.Event) bool {
		id := customer.Load()
		if e.Type == appliance.EventTyping {
			return id != 0 && e.Typing.CustomerID == id && e.Typing.From == appliance.SenderAgent
		}
		return id != 0 && e.Type == appliance.EventMessage && e.Message.CustomerID == id && e.Message.CustomerVisible()
	})
	defer s.Hub.Unsubscribe(sub)

	out := make(chan widgetFrame, 64)
	// Writer: backlog first, then live events. Messages reach it on two
	// paths (the hub and the outcome of the customer's own send), so it
	// remembers what it sent: nothing twice, and the widget orders by id.
	go func() {
		defer cancel()
		sent := newSentSet()
		send := func(m widgetMessage) error {
			if m.ID <= after || !sent.add(m.ID) {
				return nil
			}
			return writeFrame(ctx, conn, widgetFrame{Type: "message", Message: &m})
		}
		backlog, err := s.widgetBacklog(ctx, visitor, after)
		if err != nil {
			return
		}
		for _, m := range backlog {
			if err := send(m); err != nil {
				return
			}
		}
		for {
			var err error
			select {
			case <-ctx.Done():
				return
			case <-sub.done:
				conn.Close(websocket.StatusTryAgainLater, "too slow, reconnect")
				return
			case e := <-sub.events:
				if e.Type == appliance.EventTyping {
					err = writeFrame(ctx, conn, widgetFrame{Type: "typing"})
				} else {
					err = send(toWidget(e.Message))
				}
			case f := <-out:
				if f.Type == "message" {
					err = send(*f.Message)
				} else {
					err = writeFrame(ctx, conn, f)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// Reader: messages from the customer.
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			s.log.Debug("widget socket closed", "error", err)
			return
		}
		// A frame that is not a JSON object is answered, not fatal: the
		// socket stays open for the frames that follow.
		var f widgetFrame
		if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil {
			out <- widgetFrame{Type: "error", Code: "malformed_frame", Error: "a frame must be a JSON object with a type"}
			continue
		}
		switch f.Type {
		case "ping":
			out <- widgetFrame{Type: "pong"}
		case "send":
			res, err := s.receiveWidget(ctx, visitor, widgetSend{MessageID: f.MessageID, Text: f.Text})
			if err != nil {
				out <- widgetFrame{Type: "error", MessageID: f.MessageID, Code: appliance.ErrorCode(err), Error: appliance.ErrorMessage(err)}
				continue
			}
			customer.Store(res.Conversation.CustomerID)
			out <- widgetFrame{Type: "ack", MessageID: f.MessageID, ID: res.Message.ID}
			// The first message creates the customer after we subscribed:
			// its inbound message and replies may have been filtered out.
			for _, m := range append([]*appliance.Message{res.Message}, res.Replies...) {
				wm := toWidget(m)
				out <- widgetFrame{Type: "message", Message: &wm}
			}
		default:
			out <- widgetFrame{Type: "error", Code: "unknown_frame", Error: "unknown frame type"}
		}
	}
}

func writeFrame(ctx context.Context, conn *websocket.Conn, f any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(ctx, conn, f)
}

// sentSet remembers recently sent message ids.
type sentSet struct {
	ids map[int64]struct{}
	max int64
}

func newSentSet() *sentSet { return &sentSet{ids: map[int64]struct{}{}} }

// add reports whether id is new.
func (s *sentSet) add(id int64) bool {
	if _, ok := s.ids[id]; ok {
		return false
	}
	s.ids[id] = struct{}{}
	s.max = max(s.max, id)
	if len(s.ids) > 4096 {
		for k := range s.ids {
			if k < s.max-2048 {
				delete(s.ids, k)
			}
		}
	}
	return true
}
