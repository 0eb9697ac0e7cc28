package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"kefu/appliance"
)

const (
	sessionCookie = "kefu_session"
	csrfHeader    = "X-CSRF-Token"
)

const bcryptCost = 11

// HashPassword returns a salted bcrypt hash.
func HashPassword(pw string) (string, error) {
	if err := checkPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte(randomToken()), bcryptCost)
	return string(h)
})

func checkPassword(pw string) error {
	if len(pw) < 8 {
		return invalid("weak_password", "the password must have at least 8 characters")
	}
	if len(pw) > 72 {
		return invalid("password_too_long", "the password must have at most 72 bytes")
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// authorize enforces a route's access rule.
func (s *Server) authorize(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		switch a.kind {
		case accessPublic:
			c.Next()
			return
		case accessSigned:
			if err := s.verifyAppSignature(c); err != nil {
				s.fail(c, err)
				return
			}
			c.Next()
			return
		}
		user, sess, err := s.sessionUser(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		if !safeMethod(c.Request.Method) {
			got := c.GetHeader(csrfHeader)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
				s.fail(c, appliance.Errorf(appliance.EFORBIDDEN, "csrf_failed", "missing or wrong %s header", csrfHeader))
				return
			}
		}
		if a.perm != "" && !can(user.Role, a.perm) {
			s.fail(c, appliance.Errorf(appliance.EFORBIDDEN, "forbidden", "your role (%s) may not do this", user.Role))
			return
		}
		c.Set("user", user)
		c.Set("session", sess)
		s.presence.touch(user.ID, s.Now())
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func (s *Server) sessionUser(c *gin.Context) (*appliance.User, *appliance.Session, error) {
	tok, err := c.Cookie(sessionCookie)
	if err != nil || tok == "" {
		return nil, nil, appliance.Errorf(appliance.EUNAUTHORIZED, "not_logged_in", "please log in")
	}
	sess, err := s.Store.Session(c.Request.Context(), hashToken(tok))
	if appliance.IsNotFound(err) {
		return nil, nil, appliance.Errorf(appliance.EUNAUTHORIZED, "session_expired", "your session has expired, please log in again")
	}
	if err != nil {
		return nil, nil, err
	}
	user, err := s.Store.User(c.Request.Context(), sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if user.Disabled {
		return nil, nil, appliance.Errorf(appliance.EUNAUTHORIZED, "account_disabled", "this account is disabled")
	}
	return user, sess, nil
}

func currentUser(c *gin.Context) *appliance.User {
	u, _ := c.Get("user")
	user, _ := u.(*appliance.User)
	return user
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type meResponse struct {
	User        *appliance.User `json:"user"`
	CSRFToken   string          `json:"csrf_token"`
	Permissions []Permission    `json:"permissions"`
	Version     string          `json:"version"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	req.Username = strings.TrimSpace(req.Username)
	if req.Username == "" || req.Password == "" {
		s.fail(c, invalid("missing_credentials", "username and password are required"))
		return
	}
	key := req.Username + "|" + c.ClientIP()
	if !s.limiter.allow(key) {
		s.fail(c, appliance.Errorf(appliance.ERATELIMIT, "too_many_attempts", "too many failed logins, try again in a few minutes"))
		return
	}
	user, err := s.Store.UserByUsername(c.Request.Context(), req.Username)
	if err != nil && !appliance.IsNotFound(err) {
		s.fail(c, err)
		return
	}
	hash := dummyHash() // compare anyway: unknown users take as long as known ones
	if user != nil {
		hash = user.PasswordHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(req.Password)) != nil || user == nil || user.Disabled {
		s.limiter.fail(key)
		s.audit(c, nil, "auth.login_failed", "user", req.Username, nil)
		s.fail(c, appliance.Errorf(appliance.EUNAUTHORIZED, "bad_credentials", "wrong username or password"))
		return
	}
	s.limiter.reset(key)
	tok := randomToken()
	now := s.Now().UTC()
	sess := &appliance.Session{ID: hashToken(tok), UserID: user.ID, CSRFToken: hashToken(randomToken()),
		IP: c.ClientIP(), UserAgent: truncate(c.Request.UserAgent(), 255), ExpiresAt: now.Add(s.SessionTTL), CreatedAt: now}
	if err := s.Store.CreateSession(c.Request.Context(), sess); err != nil {
		s.fail(c, err)
		return
	}
	user.LastLoginAt = &now
	if staffed(user) {
		user.Status = appliance.AgentOnline
		s.presence.touch(user.ID, now)
	}
	if err := s.Store.UpdateUser(c.Request.Context(), user); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, user, "auth.login", "user", user.Username, nil)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	c.JSON(http.StatusOK, meResponse{User: user, CSRFToken: sess.CSRFToken, Permissions: permissionsOf(user.Role), Version: s.Version})
}

func (s *Server) logout(c *gin.Context) {
	v, _ := c.Get("session")
	if sess, ok := v.(*appliance.Session); ok {
		if err := s.Store.DeleteSession(c.Request.Context(), sess.ID); err != nil {
			s.fail(c, err)
			return
		}
	}
	user := currentUser(c)
	if user.Status != appliance.AgentOffline {
		user.Status = appliance.AgentOffline
		_ = s.Store.UpdateUser(c.Request.Context(), user)
	}
	s.audit(c, user, "auth.logout", "user", user.Username, nil)
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

func (s *Server) me(c *gin.Context) {
	v, _ := c.Get("session")
	sess := v.(*appliance.Session)
	user := currentUser(c)
	c.JSON(http.StatusOK, meResponse{User: user, CSRFToken: sess.CSRFToken, Permissions: permissionsOf(user.Role), Version: s.Version})
}

func (s *Server) setMyStatus(c *gin.Context) {
	var req struct {
		Status appliance.AgentStatus `json:"status"`
	}
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	switch req.Status {
	case appliance.AgentOnline, appliance.AgentBusy, appliance.AgentAway:
	default:
		s.fail(c, invalid("invalid_status", "status must be online, busy or away"))
		return
	}
	user := currentUser(c)
	user.Status = req.Status
	if err := s.Store.UpdateUser(c.Request.Context(), user); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": user})
}

type passwordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// changeMyPassword lets a user change their own password: the current one
// must be given (a session left open on a shared desk is not enough), the
// new one must meet the policy and differ, and every other session of the
// user ends. Wrong guesses count like failed logins.
func (s *Server) changeMyPassword(c *gin.Context) {
	var req passwordRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Current == "" || req.New == "" {
		s.fail(c, invalid("missing_field", "current_password and new_password are required"))
		return
	}
	user := currentUser(c)
	key := user.Username + "|" + c.ClientIP()
	if !s.limiter.allow(key) {
		s.fail(c, appliance.Errorf(appliance.ERATELIMIT, "too_many_attempts", "too many wrong passwords, try again in a few minutes"))
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(user.PasswordHash), []byte(req.Current)) != nil {
		s.limiter.fail(key)
		s.audit(c, user, "user.password_change_failed", "user", user.Username, nil)
		s.fail(c, invalid("wrong_password", "the current password is wrong"))
		return
	}
	if req.New == req.Current {
		s.fail(c, invalid("same_password", "the new password must differ from the current one"))
		return
	}
	hash, err := HashPassword(req.New)
	if err != nil {
		s.fail(c, err)
		return
	}
	user.PasswordHash = hash
	ctx := c.Request.Context()
	if err := s.Store.UpdateUser(ctx, user); err != nil {
		s.fail(c, err)
		return
	}
	v, _ := c.Get("session")
	sess, _ := v.(*appliance.Session)
	keep := ""
	if sess != nil {
		keep = sess.ID
	}
	if err := s.Store.DeleteUserSessions(ctx, user.ID, keep); err != nil {
		s.fail(c, err)
		return
	}
	s.limiter.reset(key)
	s.audit(c, user, "user.password_change", "user", user.Username, nil)
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// loginLimiter slows password guessing: five failures for a username from
// one address lock it for five minutes.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time
	// share tells the other nodes of a cluster of a failure or a reset; nil
	// on a single node.
	share func(what, key string)
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, failures: map[string][]time.Time{}}
}

const (
	loginWindow   = 5 * time.Minute
	loginMaxFails = 5
)

func (l *loginLimiter) recent(key string) []time.Time {
	cut := l.now().Add(-loginWindow)
	var keep []time.Time
	for _, t := range l.failures[key] {
		if t.After(cut) {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = keep
	}
	return keep
}

func (l *loginLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key)) < loginMaxFails
}

func (l *loginLimiter) fail(key string) {
	l.failed(key)
	if l.share != nil {
		l.share(appliance.ChangedLoginFailed, key)
	}
}

func (l *loginLimiter) failed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.recent(key), l.now())
}

func (l *loginLimiter) reset(key string) {
	l.cleared(key)
	if l.share != nil {
		l.share(appliance.ChangedLoginReset, key)
	}
}

func (l *loginLimiter) cleared(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// Remote applies what another node of the cluster shared: a failed login
// or a reset of the throttle. It reports whether what is one of those.
func (s *Server) Remote(what, subject string) bool {
	switch what {
	case appliance.ChangedLoginFailed:
		s.limiter.failed(subject)
	case appliance.ChangedLoginReset:
		s.limiter.cleared(subject)
	default:
		return false
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
