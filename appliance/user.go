package appliance

import (
	"slices"
	"time"
)

// Role is what a console user may do.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleAgent      Role = "agent"
	RoleCompliance Role = "compliance"
	RoleEditor     Role = "editor"
)

// Roles lists every role, in the order shown to admins.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleAgent, RoleCompliance, RoleEditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AgentStatus is an agent's availability for new conversations.
type AgentStatus string

const (
	AgentOnline  AgentStatus = "online"
	AgentBusy    AgentStatus = "busy"
	AgentAway    AgentStatus = "away"
	AgentOffline AgentStatus = "offline"
)

// User is a console user: an agent, supervisor, editor, compliance officer or admin.
type User struct {
	ID            int64       `json:"id"`
	Username      string      `json:"username"`
	DisplayName   string      `json:"display_name"`
	Role          Role        `json:"role"`
	PasswordHash  string      `json:"-"`
	Status        AgentStatus `json:"status"`
	MaxConcurrent int         `json:"max_concurrent"`
	Skills        []string    `json:"skills"`
	Senior        bool        `json:"senior"`
	Disabled      bool        `json:"disabled"`
	LastLoginAt   *time.Time  `json:"last_login_at,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// AuditEntry is one privileged action, kept for compliance.
type AuditEntry struct {
	ID         int64          `json:"id"`
	ActorType  string         `json:"actor_type"` // user, system, customer
	ActorID    int64          `json:"actor_id,omitempty"`
	ActorName  string         `json:"actor_name,omitempty"`
	Action     string         `json:"action"` // e.g. "conversation.take", "user.create"
	TargetType string         `json:"target_type,omitempty"`
	TargetID   string         `json:"target_id,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
	IP         string         `json:"ip,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
}

// Session is a console login. ID is the SHA-256 of the cookie token, so a
// leaked database does not leak live sessions.
type Session struct {
	ID        string
	UserID    int64
	CSRFToken string
	IP        string
	UserAgent string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Action     string
	TargetType string
	TargetID   string
	ActorID    int64
	BeforeID   int64
	Limit      int
}

// AppKey is an app API credential; the secret is stored encrypted.
type AppKey struct {
	ID        int64
	Key       string
	SecretEnc string
	Name      string
	Disabled  bool
	CreatedAt time.Time
}
