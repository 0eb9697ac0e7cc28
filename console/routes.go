package console

import (
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

type route struct {
	method  string
	path    string
	access  access
	handler gin.HandlerFunc
}

// routes lists every API route and who may call it; the one table to read.
func (s *Server) routes() []route {
	rs := []route{
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.metrics},
		{"GET", "/api/v1/openapi.yaml", public, s.openAPIYAML},
		{"GET", "/api/v1/openapi.json", public, s.openAPIJSON},

		// App API: HMAC-signed by the app's servers.
		{"POST", "/api/v1/app/messages", signed, s.appPostMessage},
		{"GET", "/api/v1/app/messages", signed, s.appGetMessages},

		// Web widget: a signed visitor token, no cookies.
		{"POST", "/api/v1/widget/session", public, s.widgetSession},
		{"GET", "/api/v1/widget/ws", public, s.widgetWS},
		{"POST", "/api/v1/widget/messages", public, s.widgetPostMessage},
		{"GET", "/api/v1/widget/messages", public, s.widgetGetMessages},

		// Console: session cookie + CSRF header, role-checked.
		{"POST", "/api/v1/auth/login", public, s.login},
		{"POST", "/api/v1/auth/logout", loggedIn, s.logout},
		{"GET", "/api/v1/auth/me", loggedIn, s.me},
		{"PUT", "/api/v1/me/status", loggedIn, s.setMyStatus},
		{"PUT", "/api/v1/me/password", loggedIn, s.changeMyPassword},
		{"GET", "/api/v1/console/ws", loggedIn, s.consoleWS},

		{"GET", "/api/v1/conversations", need(permConversationsView), s.listConversations},
		{"GET", "/api/v1/conversations/:id", need(permConversationsView), s.getConversation},
		{"GET", "/api/v1/conversations/:id/verify", need(permConversationsView), s.verifyConversation},
		{"GET", "/api/v1/conversations/:id/transcript", need(permAuditView), s.exportTranscript},
		{"GET", "/api/v1/conversations/:id/messages", need(permConversationsView), s.conversationMessages},
		{"POST", "/api/v1/conversations/:id/take", need(permConversationsHandle), s.takeConversation},
		{"POST", "/api/v1/conversations/:id/messages", need(permConversationsHandle), s.agentSend},
		{"POST", "/api/v1/conversations/:id/handoff", need(permConversationsHandle), s.handoffConversation},
		{"POST", "/api/v1/conversations/:id/close", need(permConversationsHandle), s.closeConversation},

		{"GET", "/api/v1/users", need(permUsersView), s.listUsers},
		{"POST", "/api/v1/users", need(permUsersManage), s.createUser},
		{"PATCH", "/api/v1/users/:id", need(permUsersManage), s.updateUser},

		{"GET", "/api/v1/audit", need(permAuditView), s.listAudit},

		// Channels: platform pushes (signed by the platforms, checked by the
		// adapters), account set-up, customer merges.
		{"GET", "/channels/*path", public, s.channelPush},
		{"POST", "/channels/*path", public, s.channelPush},
		{"GET", "/api/v1/channels/kinds", need(permChannelsManage), s.listChannelKinds},
		{"GET", "/api/v1/channels/accounts", need(permChannelsManage), s.listChannelAccounts},
		{"POST", "/api/v1/channels/accounts", need(permChannelsManage), s.createChannelAccount},
		{"PUT", "/api/v1/channels/accounts/:id", need(permChannelsManage), s.updateChannelAccount},
		{"DELETE", "/api/v1/channels/accounts/:id", need(permChannelsManage), s.deleteChannelAccount},
		{"GET", "/api/v1/customers/:id/merges", need(permConversationsView), s.customerMerges},
		{"POST", "/api/v1/customer-merges/:id/undo", need(permCustomersUnmerge), s.undoMerge},
		{"POST", "/api/v1/customers/:id/erase", need(permCustomersErase), s.eraseCustomer},
		{"GET", "/api/v1/erasure-requests", need(permErasureDecide), s.erasureRequests},
		{"POST", "/api/v1/erasure-requests/:id/approve", need(permErasureDecide), s.decideErasure(true)},
		{"POST", "/api/v1/erasure-requests/:id/reject", need(permErasureDecide), s.decideErasure(false)},
		{"GET", "/api/v1/customers/:id/export", need(permCustomersExport), s.exportCustomer},
	}
	rs = append(rs, s.nluRoutes()...)
	rs = append(rs, s.knowledgeRoutes()...)
	rs = append(rs, s.playbookRoutes()...)
	rs = append(rs, s.handoffRoutes()...)
	rs = append(rs, s.qaRoutes()...)
	return rs
}

// changes names what a successful call of rt changes that each node keeps in
// memory (appliance.Changed*), or "".
func changes(rt route) string {
	if rt.method == "GET" {
		return ""
	}
	switch {
	case rt.path == "/api/v1/nlu/catalog":
		return appliance.ChangedCatalog
	case strings.HasPrefix(rt.path, "/api/v1/knowledge/") && rt.path != "/api/v1/knowledge/try":
		return appliance.ChangedKnowledge
	case strings.HasPrefix(rt.path, "/api/v1/qa/rules"):
		return appliance.ChangedQARules
	case strings.HasPrefix(rt.path, "/api/v1/channels/accounts"):
		return appliance.ChangedChannels
	case rt.path == "/api/v1/playbooks/:name" && rt.method == "PUT":
		return appliance.ChangedPlaybooks
	}
	return ""
}

// announce tells the other nodes, after the handler succeeded, that what
// changed must be reloaded.
func (s *Server) announce(what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if st := c.Writer.Status(); st >= 200 && st < 300 {
			s.Changed(what, "")
		}
	}
}
