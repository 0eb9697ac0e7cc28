package console

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9_.\-]{2,64}$`)

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.Store.Users(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": users})
}

type userRequest struct {
	Username      *string         `json:"username"`
	DisplayName   *string         `json:"display_name"`
	Role          *appliance.Role `json:"role"`
	Password      *string         `json:"password"`
	MaxConcurrent *int            `json:"max_concurrent"`
	Skills        *[]string       `json:"skills"`
	Senior        *bool           `json:"senior"`
	Disabled      *bool           `json:"disabled"`
}

// apply copies the given fields onto u, validating each.
func (r *userRequest) apply(u *appliance.User) error {
	if r.Username != nil {
		name := strings.TrimSpace(*r.Username)
		if !usernameRe.MatchString(name) {
			return invalid("invalid_username", "the username must be 2–64 letters, digits, '.', '_' or '-'")
		}
		u.Username = name
	}
	if r.DisplayName != nil {
		if len([]rune(*r.DisplayName)) > 64 {
			return invalid("invalid_display_name", "the display name must be at most 64 characters")
		}
		u.DisplayName = strings.TrimSpace(*r.DisplayName)
	}
	if r.Role != nil {
		if !r.Role.Valid() {
			return invalid("invalid_role", "unknown role %q", *r.Role)
		}
		u.Role = *r.Role
	}
	if r.MaxConcurrent != nil {
		if *r.MaxConcurrent < 1 || *r.MaxConcurrent > 50 {
			return invalid("invalid_max_concurrent", "max_concurrent must be between 1 and 50")
		}
		u.MaxConcurrent = *r.MaxConcurrent
	}
	if r.Skills != nil {
		u.Skills = *r.Skills
	}
	if r.Senior != nil {
		u.Senior = *r.Senior
	}
	if r.Disabled != nil {
		u.Disabled = *r.Disabled
	}
	return nil
}

func (s *Server) createUser(c *gin.Context) {
	var req userRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Username == nil || req.Role == nil || req.Password == nil {
		s.fail(c, invalid("missing_field", "username, role and password are required"))
		return
	}
	u := &appliance.User{MaxConcurrent: 5, Status: appliance.AgentOffline}
	if err := req.apply(u); err != nil {
		s.fail(c, err)
		return
	}
	hash, err := HashPassword(*req.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	u.PasswordHash = hash
	if err := s.Store.CreateUser(c.Request.Context(), u); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "user.create", "user", strconv.FormatInt(u.ID, 10), map[string]any{"username": u.Username, "role": u.Role})
	c.JSON(http.StatusCreated, gin.H{"user": u})
}

func (s *Server) updateUser(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req userRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Store.User(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	me := currentUser(c)
	if u.ID == me.ID && ((req.Disabled != nil && *req.Disabled) || (req.Role != nil && *req.Role != appliance.RoleAdmin)) {
		s.fail(c, appliance.Errorf(appliance.ECONFLICT, "cannot_demote_self", "you cannot disable yourself or drop your own admin role"))
		return
	}
	before := map[string]any{"role": u.Role, "disabled": u.Disabled}
	if err := req.apply(u); err != nil {
		s.fail(c, err)
		return
	}
	passwordChanged := false
	if req.Password != nil {
		if u.PasswordHash, err = HashPassword(*req.Password); err != nil {
			s.fail(c, err)
			return
		}
		passwordChanged = true
	}
	if err := s.Store.UpdateUser(c.Request.Context(), u); err != nil {
		s.fail(c, err)
		return
	}
	if u.Disabled || passwordChanged {
		// Existing sessions end: a disabled account or a changed password
		// must not stay logged in elsewhere.
		if err := s.Store.DeleteUserSessions(c.Request.Context(), u.ID, ""); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.audit(c, me, "user.update", "user", strconv.FormatInt(u.ID, 10), map[string]any{"before": before,
		"role": u.Role, "disabled": u.Disabled, "password_changed": passwordChanged})
	c.JSON(http.StatusOK, gin.H{"user": u})
}

func (s *Server) listAudit(c *gin.Context) {
	before, err := queryInt(c, "before", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Store.Audit(c.Request.Context(), appliance.AuditFilter{Action: c.Query("action"), TargetType: c.Query("target_type"),
		TargetID: c.Query("target_id"), BeforeID: before, Limit: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": list})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
