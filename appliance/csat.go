package appliance

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The satisfaction survey (CSAT): sent when an agent closes a conversation
// they served, answered with the widget's buttons, an app's rendering of the
// survey (RateConversation), or a typed score on other channels
// (StepCSATReply).

// CSAT is a customer's satisfaction score for a conversation an agent served.
type CSAT struct {
	ConversationID int64     `json:"conversation_id"`
	CustomerID     int64     `json:"customer_id"`
	AgentID        int64     `json:"agent_id,omitempty"`
	Channel        string    `json:"channel"`
	Score          int       `json:"score"` // 1 (very dissatisfied) to 5 (very satisfied)
	Comment        string    `json:"comment,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// CSATStore keeps satisfaction scores.
type CSATStore interface {
	// RecordCSAT stores a score; a second score for one conversation is an
	// ECONFLICT already_rated.
	RecordCSAT(ctx context.Context, r *CSAT) error
	// CSAT returns a conversation's score, ENOTFOUND when it has none.
	CSAT(ctx context.Context, conversationID int64) (*CSAT, error)
	CustomerCSAT(ctx context.Context, customerID int64, limit int) ([]*CSAT, error)
}

// StepCSATReply records a score typed in reply to the survey ("5", "满意")
// on channels without rating buttons. It only listens right after an agent
// closed the customer's previous conversation, and only to the first message
// of the new one.
var StepCSATReply = StepFunc{"csat_reply", func(ctx context.Context, e *Engine, t *Turn) (bool, error) {
	h := e.handoff
	if h == nil || !h.CSAT || h.CSATs == nil || t.Message.Kind != KindText {
		return false, nil
	}
	score, ok := ParseScore(t.Message.Text)
	if !ok {
		return false, nil
	}
	prev, err := e.unratedClosed(ctx, t.Message.CustomerID, t.Conversation.ID)
	if err != nil || prev == nil {
		return false, err
	}
	first, err := e.store.Messages(ctx, MessageFilter{ConversationID: t.Conversation.ID, Limit: 2})
	if err != nil || len(first) != 1 {
		return false, err
	}
	r := &CSAT{ConversationID: prev.ID, CustomerID: prev.CustomerID, AgentID: prev.AssigneeID,
		Channel: t.Message.Channel, Score: score, CreatedAt: e.now()}
	t.Effects = append(t.Effects, func(ctx context.Context) error { return h.CSATs.RecordCSAT(ctx, r) })
	t.Settle(PolicyCSAT)
	t.Decision.Notes = append(t.Decision.Notes, "csat:"+strconv.FormatInt(prev.ID, 10))
	t.Say(e.texts.Get("csat_thanks", t.Lang))
	return true, nil
}}

// unratedClosed returns the customer's most recent conversation, when an
// agent closed it within the survey window and it has no score yet.
func (e *Engine) unratedClosed(ctx context.Context, customerID, exclude int64) (*Conversation, error) {
	list, err := e.store.ListConversations(ctx, ConversationFilter{CustomerID: customerID, Statuses: []ConversationStatus{StatusClosed}, Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	c := list[0]
	if c.ID == exclude || c.FirstResponseAt == nil || c.ClosedBy != "agent" || c.ClosedAt == nil || e.now().Sub(*c.ClosedAt) > e.handoff.csatWindow() {
		return nil, nil
	}
	if _, err := e.handoff.CSATs.CSAT(ctx, c.ID); err == nil {
		return nil, nil
	} else if !IsNotFound(err) {
		return nil, err
	}
	return c, nil
}

// ParseScore reads a satisfaction score: 1-5 with an optional 分 or 星, or
// the words customers use (非常满意 … 非常不满意).
func ParseScore(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "。.!！"))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "分"), "星")
	s = strings.Map(func(r rune) rune { // full-width digits
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(s))
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 5 {
		return n, true
	}
	words := map[string]int{"非常满意": 5, "很满意": 5, "满意": 4, "一般": 3, "不满意": 2, "很不满意": 1, "非常不满意": 1}
	n, ok := words[s]
	return n, ok
}

// csatRequest is the survey sent when an agent closes a conversation a human
// served (an agent replied in it); the payload lets the widget and apps show
// rating buttons.
func (e *Engine) csatRequest(c *Conversation, now time.Time) []*Message {
	h := e.handoff
	if h == nil || !h.CSAT || c.FirstResponseAt == nil || c.LastChannel == "" {
		return nil
	}
	m := e.systemMessage(c, e.texts.Get("csat_request", "zh"), now)
	m.Payload = payloadJSON(map[string]any{"csat": map[string]any{"conversation_id": c.ID, "scale": 5}})
	return []*Message{m}
}

// RateConversation records a customer's score for a conversation an agent
// closed (widget buttons, the app API). The thanks is stored on that
// conversation, so every device of the customer hides the buttons.
func (e *Engine) RateConversation(ctx context.Context, convID, customerID int64, score int, comment string) (*CSAT, error) {
	h := e.handoff
	if h == nil || !h.CSAT || h.CSATs == nil {
		return nil, Errorf(EUNAVAILABLE, "csat_disabled", "satisfaction surveys are not enabled")
	}
	if score < 1 || score > 5 {
		return nil, Errorf(EINVALID, "invalid_score", "score must be between 1 and 5")
	}
	comment = trimText(comment)
	if utf8.RuneCountInString(comment) > 500 {
		return nil, Errorf(EINVALID, "comment_too_long", "the comment must be at most 500 characters")
	}
	c0, err := e.store.Conversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	if c0.CustomerID != customerID {
		// Never confirm that someone else's conversation exists.
		return nil, Errorf(ENOTFOUND, "conversation_not_found", "conversation not found")
	}
	var r *CSAT
	_, err = e.transitionCtx(ctx, convID, nil, "", func(ctx context.Context, c *Conversation, now time.Time) ([]*Message, error) {
		switch {
		case c.Status != StatusClosed:
			return nil, Errorf(ECONFLICT, "conversation_open", "the conversation is still open")
		case c.FirstResponseAt == nil || c.ClosedBy != "agent":
			return nil, Errorf(ECONFLICT, "no_survey", "this conversation was not surveyed")
		case c.ClosedAt != nil && now.Sub(*c.ClosedAt) > h.csatWindow():
			return nil, Errorf(ECONFLICT, "survey_expired", "the survey has expired")
		}
		r = &CSAT{ConversationID: c.ID, CustomerID: c.CustomerID, AgentID: c.AssigneeID, Channel: c.LastChannel,
			Score: score, Comment: comment, CreatedAt: now}
		if err := h.CSATs.RecordCSAT(ctx, r); err != nil {
			return nil, err
		}
		m := e.systemMessage(c, e.texts.Get("csat_thanks", "zh"), now)
		m.Payload = payloadJSON(map[string]any{"csat_result": map[string]any{"conversation_id": c.ID, "score": score}})
		return []*Message{m}, nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
