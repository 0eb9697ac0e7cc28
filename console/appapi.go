package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// App API authentication: X-Kefu-Key names the app, X-Kefu-Timestamp is Unix
// seconds within AppMaxSkew of now, and X-Kefu-Signature is the lowercase hex
// HMAC-SHA256 of timestamp + "\n" + raw body under the app's secret.
const (
	headerKey       = "X-Kefu-Key"
	headerTimestamp = "X-Kefu-Timestamp"
	headerSignature = "X-Kefu-Signature"
)

// Sign computes the app API signature; exported for clients, tests and benchmarks.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func unauthorized(code, msg string) error {
	return appliance.Errorf(appliance.EUNAUTHORIZED, code, "%s", msg)
}

// verifyAppSignature reads the body (within the size limit), checks the
// signature, and puts the body back for the handler.
func (s *Server) verifyAppSignature(c *gin.Context) error {
	var body []byte
	if c.Request.Body != nil {
		var err error
		body, err = io.ReadAll(c.Request.Body)
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return appliance.Errorf(appliance.ETOOLARGE, "body_too_large", "the request body is larger than %d bytes", maxErr.Limit)
			}
			return invalid("unreadable_body", "unable to read the request body")
		}
	}
	key, ts, sig := c.GetHeader(headerKey), c.GetHeader(headerTimestamp), strings.ToLower(c.GetHeader(headerSignature))
	if key == "" || ts == "" || sig == "" {
		return unauthorized("missing_signature", "X-Kefu-Key, X-Kefu-Timestamp and X-Kefu-Signature are required")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return invalid("invalid_timestamp", "X-Kefu-Timestamp must be Unix seconds")
	}
	if skew := s.Now().Sub(time.Unix(sec, 0)); skew > s.AppMaxSkew || skew < -s.AppMaxSkew {
		return unauthorized("timestamp_expired", "X-Kefu-Timestamp is too far from the server's time (replayed or clock skew)")
	}
	secret, err := s.AppKeys.AppSecret(c.Request.Context(), key)
	if appliance.IsNotFound(err) {
		return unauthorized("unknown_app_key", "unknown app key")
	}
	if err != nil {
		return err
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return unauthorized("bad_signature", "the signature does not match")
	}
	c.Set("app_key", key)
	c.Set("body", body)
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

type appMessageRequest struct {
	UserID    string `json:"user_id"`
	MessageID string `json:"message_id"`
	Text      string `json:"text"`
	// Attachments are images the app uploaded to its own storage (photos
	// for a return, the ID card for verification).
	Attachments []appliance.Attachment `json:"attachments"`
	// Identities are further identities the app vouches for (see
	// appidentities.go).
	Identities []appIdentity `json:"identities"`
}

type appReply struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
	From string `json:"from"`
}

type appMessageResponse struct {
	ConversationID int64      `json:"conversation_id"`
	Replies        []appReply `json:"replies"`
}

func validUserID(id string) error {
	if strings.TrimSpace(id) == "" {
		return invalid("missing_field", "user_id is required")
	}
	if len(id) > 128 {
		return invalid("user_id_too_long", "user_id must be at most 128 characters")
	}
	return nil
}

func (s *Server) appPostMessage(c *gin.Context) {
	var req appMessageRequest
	body, _ := c.Get("body")
	if err := decodeJSON(c, body.([]byte), &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := validUserID(req.UserID); err != nil {
		s.fail(c, err)
		return
	}
	if strings.TrimSpace(req.MessageID) == "" {
		s.fail(c, invalid("missing_field", "message_id is required"))
		return
	}
	also, err := alsoIdentities(req.Identities)
	if err != nil {
		s.fail(c, err)
		return
	}
	kind, err := appAttachments(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	out, err := s.Engine.Receive(c.Request.Context(), appliance.Inbound{Channel: "app", MessageID: req.MessageID, Text: req.Text,
		Kind: kind, Attachments: req.Attachments, SyncReply: true, Also: also,
		Identity: appliance.Identity{Kind: appliance.IdentityAppUser, Value: req.UserID, Verified: true}})
	if err != nil {
		s.fail(c, err)
		return
	}
	resp := appMessageResponse{ConversationID: out.Conversation.ID, Replies: []appReply{}}
	for _, r := range out.Replies {
		resp.Replies = append(resp.Replies, appReply{ID: r.ID, Text: r.Text, From: string(r.Sender)})
	}
	c.JSON(http.StatusOK, resp)
}

type appMessage struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	Text           string    `json:"text"`
	From           string    `json:"from"`
	Channel        string    `json:"channel"`
	CreatedAt      time.Time `json:"created_at"`
	// Payload carries what an app may render richly, e.g. the satisfaction
	// survey {"csat":{"conversation_id":…,"scale":5}}.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// appGetMessages returns the customer's messages after a cursor, so the app
// can fetch agent replies written after its last POST.
func (s *Server) appGetMessages(c *gin.Context) {
	userID := c.Query("user_id")
	if err := validUserID(userID); err != nil {
		s.fail(c, err)
		return
	}
	after, err := queryInt(c, "after", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	resp := gin.H{"messages": []appMessage{}, "next_after": after}
	ident, err := s.Store.FindIdentity(c.Request.Context(), appliance.IdentityAppUser, "", userID)
	if appliance.IsNotFound(err) {
		c.JSON(http.StatusOK, resp)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	cust, err := s.Store.Customer(c.Request.Context(), ident.CustomerID) // follows merges
	if err != nil {
		s.fail(c, err)
		return
	}
	msgs, err := s.Store.Messages(c.Request.Context(), appliance.MessageFilter{CustomerID: cust.ID, AfterID: after, CustomerOnly: true, Limit: 200})
	if err != nil {
		s.fail(c, err)
		return
	}
	list := make([]appMessage, len(msgs))
	for i, m := range msgs {
		list[i] = appMessage{ID: m.ID, ConversationID: m.ConversationID, Text: m.Text, From: string(m.Sender), Channel: m.Channel, CreatedAt: m.CreatedAt}
		if m.Sender != appliance.SenderCustomer {
			list[i].Payload = m.Payload
		}
		after = m.ID
	}
	resp["messages"], resp["next_after"] = list, after
	c.JSON(http.StatusOK, resp)
}
