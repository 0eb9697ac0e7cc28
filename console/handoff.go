package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/cluster"
	"kefu/appliance/pii"
)

// The agent workspace beyond take/reply/close: hand-off summary, reply
// suggestions, transfers, typing, the routing board, the customer profile
// (customers.go), canned replies (canned.go) and satisfaction scores
// (csat.go).

// Workspace is what the console asks of the appliance's workspace service.
type Workspace interface {
	Summary(ctx context.Context, convID int64) (appliance.HandoffSummary, bool, error)
	Suggestions(ctx context.Context, convID int64, draft bool) ([]appliance.Suggestion, error)
	Profile(ctx context.Context, customerID int64) (*appliance.Profile, error)
	UpdateProfile(ctx context.Context, customerID int64, u appliance.ProfileUpdate) (before, after *appliance.Customer, err error)
	Transfer(ctx context.Context, convID int64, actor *appliance.User, to appliance.TransferTarget) (*appliance.Conversation, error)
	RateConversation(ctx context.Context, convID, customerID int64, score int, comment string) (*appliance.CSAT, error)
	Agents(ctx context.Context) ([]appliance.AgentState, error)
	Groups() []appliance.SkillGroup
}

func (s *Server) handoffRoutes() []route {
	return []route{
		{"GET", "/api/v1/conversations/:id/summary", need(permConversationsView), s.conversationSummary},
		{"GET", "/api/v1/conversations/:id/suggestions", need(permConversationsHandle), s.conversationSuggestions},
		{"POST", "/api/v1/conversations/:id/transfer", need(permConversationsHandle), s.transferConversation},
		{"POST", "/api/v1/conversations/:id/typing", need(permConversationsHandle), s.agentTyping},
		{"GET", "/api/v1/routing/agents", need(permConversationsView), s.routingAgents},
		{"GET", "/api/v1/routing/groups", need(permConversationsView), s.routingGroups},
		{"GET", "/api/v1/routing/nodes", need(permCannedManage), s.routingNodes},

		{"GET", "/api/v1/customers/:id/profile", need(permConversationsView), s.customerProfile},
		{"PATCH", "/api/v1/customers/:id", need(permCustomersEdit), s.updateCustomer},

		{"GET", "/api/v1/canned-replies", need(permConversationsHandle), s.listCanned},
		{"POST", "/api/v1/canned-replies", need(permCannedManage), s.createCanned},
		{"PATCH", "/api/v1/canned-replies/:id", need(permCannedManage), s.updateCanned},
		{"DELETE", "/api/v1/canned-replies/:id", need(permCannedManage), s.deleteCanned},

		{"POST", "/api/v1/widget/csat", public, s.widgetCSAT},
		{"POST", "/api/v1/widget/typing", public, s.widgetTyping},
		{"POST", "/api/v1/app/csat", signed, s.appCSAT},
	}
}

// workspace returns the workspace service, or fails the request when the
// appliance was assembled without one.
func (s *Server) workspace(c *gin.Context) (Workspace, bool) {
	if s.Options.Workspace == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "workspace_unavailable", "the agent workspace is not configured"))
		return nil, false
	}
	return s.Options.Workspace, true
}

// workspaceAndID is workspace with the id in the request's path; on false
// the error has been answered.
func (s *Server) workspaceAndID(c *gin.Context) (Workspace, int64, bool) {
	w, ok := s.workspace(c)
	if !ok {
		return nil, 0, false
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return nil, 0, false
	}
	return w, id, true
}

func (s *Server) conversationSummary(c *gin.Context) {
	w, ok := s.workspace(c)
	if !ok {
		return
	}
	conv, ok := s.loadConversation(c)
	if !ok {
		return
	}
	sum, pending, err := w.Summary(c.Request.Context(), conv.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !can(currentUser(c).Role, permPIIView) {
		sum = maskSummary(sum)
	}
	c.JSON(http.StatusOK, gin.H{"summary": sum, "pending": pending})
}

// maskSummary hides personal numbers in what the summary quotes.
func maskSummary(s appliance.HandoffSummary) appliance.HandoffSummary {
	s.Text = pii.Mask(s.Text)
	qs := make([]string, len(s.Questions))
	for i, q := range s.Questions {
		qs[i] = pii.Mask(q)
	}
	s.Questions = qs
	slots := make(map[string]string, len(s.Slots))
	for k, v := range s.Slots {
		slots[k] = pii.Mask(v)
	}
	s.Slots = slots
	for i := range s.Entities {
		s.Entities[i].Text, s.Entities[i].Value = pii.Mask(s.Entities[i].Text), pii.Mask(s.Entities[i].Value)
	}
	return s
}

func (s *Server) conversationSuggestions(c *gin.Context) {
	w, ok := s.workspace(c)
	if !ok {
		return
	}
	conv, ok := s.loadConversation(c)
	if !ok {
		return
	}
	list, err := w.Suggestions(c.Request.Context(), conv.ID, c.Query("draft") == "1")
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"suggestions": list})
}

type transferRequest struct {
	AgentID int64  `json:"agent_id"`
	Group   string `json:"group"`
	Note    string `json:"note"`
}

func (s *Server) transferConversation(c *gin.Context) {
	w, id, ok := s.workspaceAndID(c)
	if !ok {
		return
	}
	var req transferRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	to := appliance.TransferTarget{Group: strings.TrimSpace(req.Group), Note: req.Note}
	if req.AgentID != 0 {
		u, err := s.Store.User(c.Request.Context(), req.AgentID)
		if appliance.IsNotFound(err) {
			s.fail(c, invalid("unknown_agent", "there is no user %d", req.AgentID))
			return
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		to.Agent = u
	}
	conv, err := w.Transfer(c.Request.Context(), id, currentUser(c), to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"conversation": s.view(c, conv)})
}

// agentTyping tells the customer an agent is writing; the console calls it
// at most every few seconds while the agent types.
func (s *Server) agentTyping(c *gin.Context) {
	conv, ok := s.loadConversation(c)
	if !ok {
		return
	}
	if !conv.Status.HumanOwned() {
		s.fail(c, appliance.Errorf(appliance.ECONFLICT, "not_human_owned", "the conversation is not with an agent"))
		return
	}
	user := currentUser(c)
	s.Hub.Publish(appliance.Event{Type: appliance.EventTyping, Typing: &appliance.Typing{ConversationID: conv.ID,
		CustomerID: conv.CustomerID, From: appliance.SenderAgent, UserID: user.ID, At: s.Now()}})
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func (s *Server) routingAgents(c *gin.Context) {
	w, ok := s.workspace(c)
	if !ok {
		return
	}
	list, err := w.Agents(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"agents": list})
}

// ClusterMembers is the cluster as the routing board shows it.
type ClusterMembers interface {
	Members(ctx context.Context) ([]cluster.Member, error)
}

// routingNodes lists the appliance's nodes: which routes, who is connected
// where, whether each is alive. A single node answers enabled false.
func (s *Server) routingNodes(c *gin.Context) {
	if s.Cluster == nil {
		c.JSON(http.StatusOK, gin.H{"enabled": false, "nodes": []cluster.Member{}})
		return
	}
	list, err := s.Cluster.Members(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"enabled": true, "nodes": list})
}

type groupView struct {
	Name             string  `json:"name"`
	TargetSeconds    float64 `json:"target_seconds"`
	VIPTargetSeconds float64 `json:"vip_target_seconds"`
}

func (s *Server) routingGroups(c *gin.Context) {
	w, ok := s.workspace(c)
	if !ok {
		return
	}
	out := []groupView{}
	for _, g := range w.Groups() {
		out = append(out, groupView{Name: g.Name, TargetSeconds: g.Target.Seconds(), VIPTargetSeconds: g.VIPTarget.Seconds()})
	}
	c.JSON(http.StatusOK, gin.H{"groups": out})
}
