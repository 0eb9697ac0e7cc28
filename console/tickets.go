package console

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/pii"
	"kefu/appliance/playbook"
	"kefu/appliance/ticket"
)

// TicketDesk is what the console asks of the ticket desk.
type TicketDesk interface {
	CreateTicket(ctx context.Context, t *appliance.Ticket) error
	ListTickets(ctx context.Context, f appliance.TicketFilter) ([]*appliance.Ticket, error)
	Get(ctx context.Context, id int64) (*appliance.Ticket, []*appliance.TicketEvent, error)
	Next(t *appliance.Ticket) []string
	Transition(ctx context.Context, id int64, to string, actor *appliance.User, note string) (*appliance.Ticket, error)
	Config() *ticket.Config
}

// PlaybookDocuments is what the console asks of the playbook documents.
type PlaybookDocuments interface {
	List() []playbook.Document
	Save(ctx context.Context, name, body string, version int, by string) (*playbook.Document, error)
	Check(name, body string) error
}

func (s *Server) playbookRoutes() []route {
	return []route{
		{"GET", "/api/v1/tickets", need(permTicketsView), s.listTickets},
		{"POST", "/api/v1/tickets", need(permTicketsHandle), s.createTicket},
		{"GET", "/api/v1/tickets/:id", need(permTicketsView), s.getTicket},
		{"POST", "/api/v1/tickets/:id/transition", need(permTicketsHandle), s.transitionTicket},
		{"GET", "/api/v1/ticket-types", need(permTicketsView), s.ticketTypes},
		{"GET", "/api/v1/playbooks", need(permPlaybooksManage), s.listPlaybookDocs},
		{"PUT", "/api/v1/playbooks/:name", need(permPlaybooksManage), s.savePlaybookDoc},
		{"POST", "/api/v1/playbooks/:name/check", need(permPlaybooksManage), s.checkPlaybookDoc},
	}
}

func (s *Server) ticketDesk(c *gin.Context) bool {
	if s.Tickets == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "tickets_not_configured", "the ticket desk is not configured"))
		return false
	}
	return true
}

type ticketView struct {
	*appliance.Ticket
	CustomerName string   `json:"customer_name,omitempty"`
	Next         []string `json:"next"`
}

// viewTicket masks personal numbers for roles that may not see them.
func (s *Server) viewTicket(c *gin.Context, t *appliance.Ticket) ticketView {
	cp := *t
	if !can(currentUser(c).Role, permPIIView) {
		cp.Title, cp.Body = pii.Mask(cp.Title), pii.Mask(cp.Body)
		if len(cp.Data) > 0 {
			d := make(map[string]any, len(cp.Data))
			for k, v := range cp.Data {
				if str, ok := v.(string); ok {
					v = pii.Mask(str)
				}
				d[k] = v
			}
			cp.Data = d
		}
	}
	v := ticketView{Ticket: &cp, Next: s.Tickets.Next(t)}
	if v.Next == nil {
		v.Next = []string{}
	}
	if cv := s.viewCustomer(c, t.CustomerID, false); cv != nil {
		v.CustomerName = cv.DisplayName
	}
	return v
}

func (s *Server) listTickets(c *gin.Context) {
	if !s.ticketDesk(c) {
		return
	}
	cust, err := queryInt(c, "customer_id", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	before, err := queryInt(c, "before", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Tickets.ListTickets(c.Request.Context(), appliance.TicketFilter{CustomerID: cust, Type: c.Query("type"),
		Status: c.Query("status"), BeforeID: before, Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]ticketView, len(list))
	for i, t := range list {
		out[i] = s.viewTicket(c, t)
	}
	c.JSON(http.StatusOK, gin.H{"tickets": out})
}

type createTicketRequest struct {
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Body           string         `json:"body"`
	CustomerID     int64          `json:"customer_id"`
	ConversationID int64          `json:"conversation_id"`
	Data           map[string]any `json:"data"`
}

func (s *Server) createTicket(c *gin.Context) {
	if !s.ticketDesk(c) {
		return
	}
	var req createTicketRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t := &appliance.Ticket{Type: req.Type, Title: req.Title, Body: req.Body, CustomerID: req.CustomerID, Data: req.Data}
	if req.ConversationID != 0 {
		conv, err := s.Store.Conversation(ctx, req.ConversationID)
		if err != nil {
			s.fail(c, err)
			return
		}
		if t.CustomerID == 0 {
			t.CustomerID = conv.CustomerID
		}
		if conv.CustomerID != t.CustomerID {
			s.fail(c, invalid("customer_mismatch", "the conversation belongs to another customer"))
			return
		}
		t.ConversationID, t.Channel = conv.ID, conv.LastChannel
	}
	if _, err := s.Store.Customer(ctx, t.CustomerID); err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	t.CreatedBy = "agent:" + strconv.FormatInt(me.ID, 10)
	if err := s.Tickets.CreateTicket(ctx, t); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"ticket": s.viewTicket(c, t)})
}

func (s *Server) getTicket(c *gin.Context) {
	if !s.ticketDesk(c) {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	t, evs, err := s.Tickets.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !can(currentUser(c).Role, permPIIView) {
		for _, e := range evs {
			e.Note = pii.Mask(e.Note)
		}
	}
	c.JSON(http.StatusOK, gin.H{"ticket": s.viewTicket(c, t), "events": evs})
}

type transitionRequest struct {
	To   string `json:"to"`
	Note string `json:"note"`
}

func (s *Server) transitionTicket(c *gin.Context) {
	if !s.ticketDesk(c) {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req transitionRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.To == "" {
		s.fail(c, invalid("missing_field", "to is required"))
		return
	}
	t, err := s.Tickets.Transition(c.Request.Context(), id, req.To, currentUser(c), req.Note)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ticket": s.viewTicket(c, t)})
}

func (s *Server) ticketTypes(c *gin.Context) {
	if !s.ticketDesk(c) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"types": s.Tickets.Config().Types})
}

func (s *Server) playbookDocs(c *gin.Context) bool {
	if s.Documents == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "playbooks_not_configured", "playbooks are not configured"))
		return false
	}
	return true
}

func (s *Server) listPlaybookDocs(c *gin.Context) {
	if !s.playbookDocs(c) {
		return
	}
	c.JSON(http.StatusOK, gin.H{"documents": s.Documents.List()})
}

type docRequest struct {
	Body    string `json:"body"`
	Version int    `json:"version"`
}

func (s *Server) savePlaybookDoc(c *gin.Context) {
	if !s.playbookDocs(c) {
		return
	}
	var req docRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	d, err := s.Documents.Save(c.Request.Context(), c.Param("name"), req.Body, req.Version, me.Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, me, "playbook.update", "playbook_document", d.Name, map[string]any{"version": d.Version})
	c.JSON(http.StatusOK, gin.H{"document": d})
}

func (s *Server) checkPlaybookDoc(c *gin.Context) {
	if !s.playbookDocs(c) {
		return
	}
	var req docRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Documents.Check(c.Param("name"), req.Body); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}
