package console

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// Merges is the history of customer records joined because they proved to
// be one person, and undoing a merge.
type Merges interface {
	CustomerMerges(ctx context.Context, customerID int64) ([]*appliance.CustomerMerge, error)
	Unmerge(ctx context.Context, mergeID int64, actor *appliance.User, reason string) (*appliance.CustomerMerge, error)
}

func (s *Server) merges(c *gin.Context) (Merges, bool) {
	if s.Merges == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "merges_unavailable", "customer merges are not available"))
		return nil, false
	}
	return s.Merges, true
}

// maskMerge hides the proof's value (a phone number, say) from roles that
// may not see personal numbers.
func (s *Server) maskMerge(c *gin.Context, m *appliance.CustomerMerge) *appliance.CustomerMerge {
	if can(currentUser(c).Role, permPIIView) {
		return m
	}
	cp := *m
	cp.Proof.Value = pii.Mask(cp.Proof.Value)
	if cp.Proof.Kind == appliance.IdentityPhone {
		cp.Proof.Value = maskPhone(cp.Proof.Value)
	}
	return &cp
}

// customerMerges lists the merges a customer record took part in, newest
// first, for the profile panel.
func (s *Server) customerMerges(c *gin.Context) {
	ms, ok := s.merges(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Store.Customer(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	list, err := ms.CustomerMerges(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range list {
		list[i] = s.maskMerge(c, list[i])
	}
	c.JSON(http.StatusOK, gin.H{"merges": list})
}

type unmergeRequest struct {
	Reason string `json:"reason"`
}

// undoMerge separates two merged customer records again (admins and
// supervisors); the engine audits it.
func (s *Server) undoMerge(c *gin.Context) {
	ms, ok := s.merges(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req unmergeRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if len([]rune(req.Reason)) > 200 {
		s.fail(c, invalid("reason_too_long", "the reason must be at most 200 characters"))
		return
	}
	m, err := ms.Unmerge(c.Request.Context(), id, currentUser(c), req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.log.Info("customer merge undone", "merge_id", strconv.FormatInt(m.ID, 10), "by", currentUser(c).Username)
	c.JSON(http.StatusOK, gin.H{"merge": s.maskMerge(c, m)})
}
