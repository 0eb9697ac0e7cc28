package console

import (
	"maps"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// The customer profile panel of the workspace and its editing.

type profileView struct {
	*appliance.Profile
	Customer *profileCustomer `json:"customer"`
	// Editable says what the caller may change.
	Editable struct {
		Profile bool `json:"profile"` // tags and attributes
		VIP     bool `json:"vip"`     // the VIP level
		Erase   bool `json:"erase"`   // erase the customer's personal information (or ask to)
		Export  bool `json:"export"`  // export everything held about the customer
		Decide  bool `json:"decide"`  // approve or reject the pending erasure request
	} `json:"editable"`
	// EraseNeedsApproval: erasing is asked for, and someone else decides.
	EraseNeedsApproval bool `json:"erase_needs_approval"`
	// ErasureRequest is the pending request to erase the customer, if any.
	ErasureRequest *appliance.ErasureRequest `json:"erasure_request,omitempty"`
}

type profileCustomer struct {
	*appliance.Customer
	DisplayName string `json:"display_name"`
}

func (s *Server) customerProfile(c *gin.Context) {
	w, id, ok := s.workspaceAndID(c)
	if !ok {
		return
	}
	p, err := w.Profile(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	role := currentUser(c).Role
	cust := *p.Customer
	if !can(role, permPIIView) {
		cust.Identities = slices.Clone(cust.Identities)
		for i := range cust.Identities {
			v := pii.Mask(cust.Identities[i].Value)
			if cust.Identities[i].Kind == appliance.IdentityPhone {
				v = maskPhone(v)
			}
			cust.Identities[i].Value = v
		}
		attrs := make(map[string]string, len(cust.Attributes))
		for k, v := range cust.Attributes {
			attrs[k] = pii.Mask(v)
		}
		cust.Attributes = attrs
	}
	name := cust.DisplayName
	if name == "" {
		name = defaultCustomerName(&cust)
	}
	v := profileView{Profile: p, Customer: &profileCustomer{Customer: &cust, DisplayName: name}}
	v.Editable.Profile = can(role, permCustomersEdit) && cust.ErasedAt == nil
	v.Editable.VIP = can(role, permCustomersVIP) && cust.ErasedAt == nil
	v.Editable.Erase = can(role, permCustomersErase) && cust.ErasedAt == nil
	v.Editable.Export = can(role, permCustomersExport)
	v.EraseNeedsApproval = !s.OneAdminErases
	if rs, ok := s.Store.(appliance.ErasureRequests); ok && cust.ErasedAt == nil {
		if r, err := rs.PendingErasure(c.Request.Context(), cust.ID); err == nil {
			v.ErasureRequest = r
			v.Editable.Erase = false
			v.Editable.Decide = can(role, permErasureDecide) && r.RequestedBy != currentUser(c).ID
		}
	}
	c.JSON(http.StatusOK, gin.H{"profile": v})
}

type eraseRequest struct {
	Reason string `json:"reason"`
}

// eraseCustomer asks for a customer's personal information to be erased on
// their request, for another admin or a compliance officer to approve (202);
// with OneAdminErases it erases at once (200). Admins; the engine checks the
// reason and audits it.
func (s *Server) eraseCustomer(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req eraseRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !s.OneAdminErases {
		r, err := s.Engine.RequestErasure(c.Request.Context(), id, currentUser(c), req.Reason)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusAccepted, gin.H{"request": r})
		return
	}
	er, err := s.Engine.EraseCustomer(c.Request.Context(), id, currentUser(c), req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"erasure": er})
}

// erasureRequests lists the requests waiting for a decision.
func (s *Server) erasureRequests(c *gin.Context) {
	rs, ok := s.Store.(appliance.ErasureRequests)
	if !ok {
		s.fail(c, appliance.Errorf(appliance.EUNSUPPORTED, "erasure_unsupported", "this store cannot erase customers"))
		return
	}
	list, err := rs.PendingErasures(c.Request.Context(), 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The list names each customer, as the queue does, so the person
	// deciding sees whom a request is about before opening it.
	out := make([]pendingErasure, len(list))
	for i, r := range list {
		out[i].ErasureRequest = r
		if cu := s.viewCustomer(c, r.CustomerID, false); cu != nil {
			out[i].CustomerName = cu.DisplayName
		}
	}
	c.JSON(http.StatusOK, gin.H{"requests": out})
}

// pendingErasure is a pending erasure request with the customer's name.
type pendingErasure struct {
	*appliance.ErasureRequest
	CustomerName string `json:"customer_name,omitempty"`
}

type erasureDecision struct {
	Note string `json:"note"`
}

// decideErasure approves (erasing) or rejects a pending erasure request;
// the person who asked cannot decide it.
func (s *Server) decideErasure(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "id")
		if err != nil {
			s.fail(c, err)
			return
		}
		var req erasureDecision
		if c.Request.ContentLength > 0 {
			if err := bindJSON(c, &req); err != nil {
				s.fail(c, err)
				return
			}
		}
		r, err := s.Engine.DecideErasure(c.Request.Context(), id, currentUser(c), approve, req.Note)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"request": r})
	}
}

func (s *Server) updateCustomer(c *gin.Context) {
	w, id, ok := s.workspaceAndID(c)
	if !ok {
		return
	}
	var req appliance.ProfileUpdate
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	user := currentUser(c)
	if req.VIPLevel != nil && !can(user.Role, permCustomersVIP) {
		s.fail(c, appliance.Errorf(appliance.EFORBIDDEN, "forbidden", "your role (%s) may not change VIP levels", user.Role))
		return
	}
	before, after, err := w.UpdateProfile(c.Request.Context(), id, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, user, "customer.update", "customer", itoa(after.ID), profileChanges(before, after))
	c.JSON(http.StatusOK, gin.H{"customer": after})
}

// profileChanges records what an edit changed, before and after.
func profileChanges(before, after *appliance.Customer) map[string]any {
	d := map[string]any{}
	if !slices.Equal(before.Tags, after.Tags) {
		d["tags"] = map[string]any{"before": before.Tags, "after": after.Tags}
	}
	if before.VIPLevel != after.VIPLevel {
		d["vip_level"] = map[string]any{"before": before.VIPLevel, "after": after.VIPLevel}
	}
	if !maps.Equal(before.Attributes, after.Attributes) {
		d["attributes"] = map[string]any{"before": before.Attributes, "after": after.Attributes}
	}
	return d
}
