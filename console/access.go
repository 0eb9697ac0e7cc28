package console

import (
	"slices"

	"kefu/appliance"
)

// Permission is something a role may do.
type Permission string

const (
	permConversationsView   Permission = "conversations.view"
	permConversationsHandle Permission = "conversations.handle" // take, reply, close
	permUsersView           Permission = "users.view"
	permUsersManage         Permission = "users.manage"
	permAuditView           Permission = "audit.view"
	permPIIView             Permission = "pii.view" // see phone, ID and card numbers unmasked
	permKnowledgeEdit       Permission = "knowledge.edit"
	permNLUView             Permission = "nlu.view" // read the intent catalog, try sentences
	permNLUEdit             Permission = "nlu.edit" // change the intent catalog
	permTicketsView         Permission = "tickets.view"
	permTicketsHandle       Permission = "tickets.handle"    // open and move tickets
	permPlaybooksManage     Permission = "playbooks.manage"  // edit playbooks, actions and ticket types
	permChannelsManage      Permission = "channels.manage"   // set up WeChat, WeCom and Douyin accounts
	permCustomersUnmerge    Permission = "customers.unmerge" // undo a customer merge
	permCustomersEdit       Permission = "customers.edit"    // tags and attributes of a customer's profile
	permCustomersVIP        Permission = "customers.vip"     // a customer's VIP level, which changes routing
	permCannedManage        Permission = "canned.manage"     // the team's canned replies
	permCustomersErase      Permission = "customers.erase"   // erase a customer's personal information on request
	permCustomersExport     Permission = "customers.export"  // export everything held about a customer, unmasked
	permErasureDecide       Permission = "erasure.decide"    // approve or reject another person's erasure request
)

// grants says which roles hold each permission. Compliance officers read
// everything and change nothing; editors only curate knowledge.
var grants = map[Permission][]appliance.Role{
	permConversationsView:   {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleAgent, appliance.RoleCompliance},
	permConversationsHandle: {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleAgent},
	permUsersView:           {appliance.RoleAdmin, appliance.RoleSupervisor},
	permUsersManage:         {appliance.RoleAdmin},
	permAuditView:           {appliance.RoleAdmin, appliance.RoleCompliance},
	permPIIView:             {appliance.RoleAdmin, appliance.RoleCompliance},
	permKnowledgeEdit:       {appliance.RoleAdmin, appliance.RoleEditor},
	permNLUView:             {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleCompliance, appliance.RoleEditor},
	permNLUEdit:             {appliance.RoleAdmin},
	permTicketsView:         {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleAgent, appliance.RoleCompliance},
	permTicketsHandle:       {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleAgent},
	permPlaybooksManage:     {appliance.RoleAdmin},
	permChannelsManage:      {appliance.RoleAdmin},
	permCustomersUnmerge:    {appliance.RoleAdmin, appliance.RoleSupervisor},
	permCustomersEdit:       {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleAgent},
	permCustomersVIP:        {appliance.RoleAdmin, appliance.RoleSupervisor},
	permCannedManage:        {appliance.RoleAdmin, appliance.RoleSupervisor},
	permCustomersErase:      {appliance.RoleAdmin},
	permCustomersExport:     {appliance.RoleAdmin, appliance.RoleCompliance},
	permErasureDecide:       {appliance.RoleAdmin, appliance.RoleCompliance},

	// QA and analytics (console/qa.go): compliance officers read reports,
	// supervisors also set the rules and get the alerts; agents see none.
	permQARulesManage: {appliance.RoleAdmin, appliance.RoleSupervisor},
	permQAAlertsView:  {appliance.RoleAdmin, appliance.RoleSupervisor},
	permQAReportsView: {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleCompliance},
	permJobsView:      {appliance.RoleAdmin},
	permJobsRun:       {appliance.RoleAdmin},
	permAnalyticsView: {appliance.RoleAdmin, appliance.RoleSupervisor, appliance.RoleCompliance, appliance.RoleEditor},
}

// can reports whether a role holds a permission.
func can(r appliance.Role, p Permission) bool { return slices.Contains(grants[p], r) }

// permissionsOf lists a role's permissions, for the UI to show what it may.
func permissionsOf(r appliance.Role) []Permission {
	var out []Permission
	for p, roles := range grants {
		if slices.Contains(roles, r) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// access is who may call a route.
type access struct {
	kind int // accessPublic, accessSigned, accessSession
	perm Permission
}

const (
	accessPublic = iota
	accessSigned
	accessSession
)

var (
	public   = access{kind: accessPublic}
	signed   = access{kind: accessSigned}
	loggedIn = access{kind: accessSession}
)

func need(p Permission) access { return access{kind: accessSession, perm: p} }
