package console

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// CannedReplies keeps the agents' prepared replies.
type CannedReplies interface {
	CannedReplies(ctx context.Context) ([]*appliance.CannedReply, error)
	CannedReply(ctx context.Context, id int64) (*appliance.CannedReply, error)
	CreateCannedReply(ctx context.Context, r *appliance.CannedReply) error
	UpdateCannedReply(ctx context.Context, r *appliance.CannedReply) error
	DeleteCannedReply(ctx context.Context, id int64) error
}

func (s *Server) canned(c *gin.Context) (CannedReplies, bool) {
	if s.Options.Canned == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "canned_unavailable", "canned replies are not configured"))
		return nil, false
	}
	return s.Options.Canned, true
}

func (s *Server) listCanned(c *gin.Context) {
	store, ok := s.canned(c)
	if !ok {
		return
	}
	list, err := store.CannedReplies(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"replies": list})
}

type cannedRequest struct {
	Shortcut *string `json:"shortcut"`
	Title    *string `json:"title"`
	Text     *string `json:"text"`
	Group    *string `json:"group"`
}

func (r cannedRequest) apply(to *appliance.CannedReply) {
	if r.Shortcut != nil {
		to.Shortcut = *r.Shortcut
	}
	if r.Title != nil {
		to.Title = *r.Title
	}
	if r.Text != nil {
		to.Text = *r.Text
	}
	if r.Group != nil {
		to.Group = *r.Group
	}
}

func (s *Server) createCanned(c *gin.Context) {
	store, ok := s.canned(c)
	if !ok {
		return
	}
	var req cannedRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	user := currentUser(c)
	r := &appliance.CannedReply{CreatedBy: user.ID}
	req.apply(r)
	if err := r.Normalize(); err != nil {
		s.fail(c, err)
		return
	}
	if err := store.CreateCannedReply(c.Request.Context(), r); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, user, "canned_reply.create", "canned_reply", itoa(r.ID), map[string]any{"shortcut": r.Shortcut})
	c.JSON(http.StatusCreated, gin.H{"reply": r})
}

func (s *Server) updateCanned(c *gin.Context) {
	store, ok := s.canned(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req cannedRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	r, err := store.CannedReply(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	before := *r
	req.apply(r)
	if err := r.Normalize(); err != nil {
		s.fail(c, err)
		return
	}
	if err := store.UpdateCannedReply(c.Request.Context(), r); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "canned_reply.update", "canned_reply", itoa(r.ID), map[string]any{
		"before": map[string]any{"shortcut": before.Shortcut, "text": before.Text}, "after": map[string]any{"shortcut": r.Shortcut, "text": r.Text}})
	c.JSON(http.StatusOK, gin.H{"reply": r})
}

func (s *Server) deleteCanned(c *gin.Context) {
	store, ok := s.canned(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := store.CannedReply(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := store.DeleteCannedReply(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "canned_reply.delete", "canned_reply", itoa(id), map[string]any{"shortcut": r.Shortcut, "text": r.Text})
	c.JSON(http.StatusOK, gin.H{"ok": true})
}
