package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// customerExport is a copy of what the appliance holds about a person, for
// a request to access or port it (个人信息保护法 arts. 45 and 47): the
// profile with every identity, the conversations with what was said to and
// by them (internal notes are the team's and left out), tickets with their
// history, satisfaction ratings and the business system's records as the
// workspace shows them. Machine-readable JSON, unmasked: it is the person's
// own data, exported by admins and compliance officers, and audited.
type customerExport struct {
	Customer      *appliance.Customer        `json:"customer"`
	Conversations []exportedConversation     `json:"conversations"`
	Tickets       []exportedTicket           `json:"tickets"`
	CSAT          []*appliance.CSAT          `json:"csat"`
	Records       []appliance.BusinessRecord `json:"business_records"`
	RecordsStatus string                     `json:"business_records_status"`
	ExportedAt    time.Time                  `json:"exported_at"`
	ExportedBy    string                     `json:"exported_by"`
}

type exportedConversation struct {
	*appliance.Conversation
	Messages []exportedMessage `json:"messages"`
}

// exportedMessage is what a message says, without the team's internal view
// of it (decision paths, delivery state).
type exportedMessage struct {
	ID        int64     `json:"id"`
	Channel   string    `json:"channel"`
	Sender    string    `json:"sender"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

type exportedTicket struct {
	*appliance.Ticket
	History []*appliance.TicketEvent `json:"history"`
}

// maxExportConversations bounds one export; a person with more is told so.
const maxExportConversations = 5000

func (s *Server) exportCustomer(c *gin.Context) {
	w, id, ok := s.workspaceAndID(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	p, err := w.Profile(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := customerExport{Customer: p.Customer, Conversations: []exportedConversation{}, Tickets: []exportedTicket{},
		CSAT: p.CSAT, Records: p.Records, RecordsStatus: p.RecordsStatus, ExportedAt: s.Now().UTC(), ExportedBy: currentUser(c).Username}
	messages := 0
	for before := int64(0); ; {
		page, err := s.Store.ListConversations(ctx, appliance.ConversationFilter{CustomerID: p.Customer.ID, BeforeID: before, Limit: 200, ByID: true})
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, conv := range page {
			ec := exportedConversation{Conversation: conv, Messages: []exportedMessage{}}
			for after := int64(0); ; {
				ms, err := s.Store.Messages(ctx, appliance.MessageFilter{ConversationID: conv.ID, AfterID: after, CustomerOnly: true, Limit: 500})
				if err != nil {
					s.fail(c, err)
					return
				}
				for _, m := range ms {
					ec.Messages = append(ec.Messages, exportedMessage{ID: m.ID, Channel: m.Channel, Sender: string(m.Sender), Kind: string(m.Kind),
						Text: m.Text, CreatedAt: m.CreatedAt})
					after = m.ID
				}
				if len(ms) < 500 {
					break
				}
			}
			messages += len(ec.Messages)
			out.Conversations = append(out.Conversations, ec)
			before = conv.ID
		}
		if len(page) < 200 {
			break
		}
		if len(out.Conversations) >= maxExportConversations {
			s.fail(c, appliance.Errorf(appliance.ETOOLARGE, "export_too_large", "the customer has more than %d conversations; export them one by one", maxExportConversations))
			return
		}
	}
	if s.Tickets != nil {
		for before := int64(0); ; {
			list, err := s.Tickets.ListTickets(ctx, appliance.TicketFilter{CustomerID: p.Customer.ID, BeforeID: before, Limit: 100})
			if err != nil {
				s.fail(c, err)
				return
			}
			for _, t := range list {
				_, history, err := s.Tickets.Get(ctx, t.ID)
				if err != nil {
					s.fail(c, err)
					return
				}
				out.Tickets = append(out.Tickets, exportedTicket{Ticket: t, History: history})
				before = t.ID
			}
			if len(list) < 100 {
				break
			}
		}
	}
	s.audit(c, currentUser(c), "customer.export", "customer", itoa(p.Customer.ID), map[string]any{
		"conversations": len(out.Conversations), "messages": messages, "tickets": len(out.Tickets)})
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d.json"`, p.Customer.ID))
	c.IndentedJSON(http.StatusOK, out)
}
