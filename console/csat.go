package console

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// Customers rate a conversation an agent closed: the widget shows rating
// buttons under the survey message, apps render the survey (a message whose
// payload has "csat") and post the score here. Typing indicators from the
// widget travel the same way.

type csatRequest struct {
	UserID         string `json:"user_id"` // app API only
	ConversationID int64  `json:"conversation_id"`
	Score          int    `json:"score"`
	Comment        string `json:"comment"`
}

func (s *Server) rate(c *gin.Context, customerID int64, req csatRequest) {
	w, ok := s.workspace(c)
	if !ok {
		return
	}
	if req.ConversationID <= 0 {
		s.fail(c, invalid("missing_field", "conversation_id is required"))
		return
	}
	if customerID == 0 {
		s.fail(c, appliance.Errorf(appliance.ENOTFOUND, "conversation_not_found", "conversation not found"))
		return
	}
	r, err := w.RateConversation(c.Request.Context(), req.ConversationID, customerID, req.Score, req.Comment)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"csat": r})
}

func (s *Server) widgetCSAT(c *gin.Context) {
	visitor, err := s.widgetVisitor(c, c.GetHeader("X-Widget-Token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var req csatRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	cust, err := s.widgetCustomer(c.Request.Context(), visitor)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.rate(c, cust, req)
}

func (s *Server) appCSAT(c *gin.Context) {
	var req csatRequest
	body, _ := c.Get("body")
	if err := decodeJSON(c, body.([]byte), &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := validUserID(req.UserID); err != nil {
		s.fail(c, err)
		return
	}
	var cust int64
	ident, err := s.Store.FindIdentity(c.Request.Context(), appliance.IdentityAppUser, "", req.UserID)
	switch {
	case err == nil:
		cu, err := s.Store.Customer(c.Request.Context(), ident.CustomerID)
		if err != nil {
			s.fail(c, err)
			return
		}
		cust = cu.ID
	case !appliance.IsNotFound(err):
		s.fail(c, err)
		return
	}
	s.rate(c, cust, req)
}

// widgetTyping tells agents the customer is writing.
func (s *Server) widgetTyping(c *gin.Context) {
	visitor, err := s.widgetVisitor(c, c.GetHeader("X-Widget-Token"))
	if err != nil {
		s.fail(c, err)
		return
	}
	cust, err := s.widgetCustomer(c.Request.Context(), visitor)
	if err != nil {
		s.fail(c, err)
		return
	}
	if cust != 0 {
		s.Hub.Publish(appliance.Event{Type: appliance.EventTyping, Typing: &appliance.Typing{CustomerID: cust,
			From: appliance.SenderCustomer, At: s.Now()}})
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}
