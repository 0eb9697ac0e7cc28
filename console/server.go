package console

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/secret"
	"kefu/knowledge"
	"kefu/nlu"
)

// Engine is what the console asks of the conversation engine.
type Engine interface {
	Receive(ctx context.Context, in appliance.Inbound) (*appliance.Outcome, error)
	Take(ctx context.Context, convID int64, agent *appliance.User) (*appliance.Conversation, error)
	Handoff(ctx context.Context, convID int64, reason string, actor *appliance.User) (*appliance.Conversation, error)
	Close(ctx context.Context, convID int64, agent *appliance.User) (*appliance.Conversation, error)
	AgentSend(ctx context.Context, convID int64, agent *appliance.User, text string, note bool) (*appliance.Message, error)
	EraseCustomer(ctx context.Context, customerID int64, actor *appliance.User, reason string) (*appliance.Erasure, error)
	RequestErasure(ctx context.Context, customerID int64, actor *appliance.User, reason string) (*appliance.ErasureRequest, error)
	DecideErasure(ctx context.Context, requestID int64, actor *appliance.User, approve bool, note string) (*appliance.ErasureRequest, error)
}

// Store is what the console reads and writes directly.
type Store interface {
	Conversation(ctx context.Context, id int64) (*appliance.Conversation, error)
	ListConversations(ctx context.Context, f appliance.ConversationFilter) ([]*appliance.Conversation, error)
	Messages(ctx context.Context, f appliance.MessageFilter) ([]*appliance.Message, error)
	LastMessages(ctx context.Context, conversationIDs []int64) (map[int64]*appliance.Message, error)
	Customer(ctx context.Context, id int64) (*appliance.Customer, error)
	Customers(ctx context.Context, ids []int64) (map[int64]*appliance.Customer, error)
	FindIdentity(ctx context.Context, kind appliance.IdentityKind, namespace, value string) (*appliance.Identity, error)

	User(ctx context.Context, id int64) (*appliance.User, error)
	UserByUsername(ctx context.Context, username string) (*appliance.User, error)
	Users(ctx context.Context) ([]*appliance.User, error)
	CreateUser(ctx context.Context, u *appliance.User) error
	UpdateUser(ctx context.Context, u *appliance.User) error

	CreateSession(ctx context.Context, s *appliance.Session) error
	Session(ctx context.Context, id string) (*appliance.Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID int64, keep string) error
	VerifyConversation(ctx context.Context, id int64) (*appliance.ChainReport, error)

	RecordAudit(ctx context.Context, e *appliance.AuditEntry) error
	Audit(ctx context.Context, f appliance.AuditFilter) ([]*appliance.AuditEntry, error)
}

// AppKeys resolves an app API key to its secret.
type AppKeys interface {
	AppSecret(ctx context.Context, key string) (string, error)
}

// Options configure a Server.
type Options struct {
	Engine  Engine
	Store   Store
	Hub     *Hub
	AppKeys AppKeys
	// Workspace serves the agent workspace (summary, suggestions, profile,
	// transfers, routing board); Canned keeps canned replies. Routes answer
	// 503 when they are nil.
	Workspace Workspace
	Canned    CannedReplies
	Box       *secret.Box // signs widget visitor tokens
	Metrics   *Metrics
	Logger    *slog.Logger
	// UI is the built web console (index.html and assets/); nil serves a
	// page saying the UI was not built.
	UI fs.FS
	// Catalogs shows and edits the intent catalog; NLU understands the
	// sentences admins try in it. Nil: those pages answer 503.
	Catalogs CatalogEditor
	NLU      nlu.Engine
	// Ready reports whether dependencies answer (for /readyz).
	Ready func(ctx context.Context) error
	Now   func() time.Time

	MaxBodyBytes  int64
	SecureCookies bool
	SessionTTL    time.Duration
	// PresenceTimeout sets offline an agent with no console and no request
	// for this long (see presence); zero disables it.
	PresenceTimeout time.Duration
	// Elsewhere reports whether a user is present on another node of the
	// cluster (a console connected there, or a request there lately), so
	// this node's sweep leaves them be; nil on a single node.
	Elsewhere func(userID int64) bool
	// Changed is told when a request changed something other nodes of a
	// cluster keep in memory (appliance.Changed*, with its subject where it
	// names one): they reload it or apply it (Remote). Nil on a single node.
	Changed func(what, subject string)
	// Cluster lists the nodes for the routing board; nil on a single node.
	Cluster        ClusterMembers
	AppMaxSkew     time.Duration
	AllowedOrigins []string // widget origins; empty allows any
	TrustedProxies []string
	PublicURL      string
	Version        string
	MaxTextRunes   int
	// OneAdminErases lets one admin erase a customer's personal information
	// alone; by default an admin asks and another admin or a compliance
	// officer approves (privacy.erasure_approval).
	OneAdminErases bool

	// Knowledge is the editors' knowledge base and KnowledgeAnswerer the
	// answerer the bot uses (for "try it"); nil answers 503.
	Knowledge         KnowledgeService
	KnowledgeAnswerer knowledge.Answerer
	// MaxUploadBytes is the largest knowledge file an editor may upload;
	// only the upload routes accept bodies that large.
	MaxUploadBytes int64

	// Tickets is the ticket desk and Documents the playbook documents;
	// nil leaves their routes answering 503.
	Tickets   TicketDesk
	Documents PlaybookDocuments

	// Channels runs the WeChat, WeCom and Douyin accounts; nil leaves
	// channel set-up unavailable.
	Channels ChannelSetup
	// Merges shows and undoes customer merges; nil leaves them unavailable.
	Merges Merges

	QA QAOptions // QA rules, audit reports, jobs and analytics (console/qa.go)
}

// Server is the HTTP face of the appliance.
type Server struct {
	Options
	log      *slog.Logger
	router   *gin.Engine
	limiter  *loginLimiter
	presence *presence
	draining atomic.Bool
}

// New builds the server and its routes.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.AppMaxSkew <= 0 {
		o.AppMaxSkew = 5 * time.Minute
	}
	if o.Hub == nil {
		o.Hub = NewHub()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	if o.Ready == nil {
		o.Ready = func(context.Context) error { return nil }
	}
	s := &Server{Options: o, log: o.Logger, limiter: newLoginLimiter(o.Now), presence: newPresence(o.Now())}
	s.limiter.share = o.Changed
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		s.log.Warn("console: bad trusted proxies", slog.Any("error", err))
	}
	r.Use(s.recoverPanics, s.observe, s.limitBody, s.securityHeaders)
	for _, rt := range s.routes() {
		handlers := []gin.HandlerFunc{s.authorize(rt.access)}
		if what := changes(rt); what != "" && o.Changed != nil {
			handlers = append(handlers, s.announce(what))
		}
		r.Handle(rt.method, rt.path, append(handlers, rt.handler)...)
	}
	s.mountStatic(r)
	r.NoRoute(s.noRoute)
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, appliance.Errorf(appliance.EINVALID, "method_not_allowed", "%s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
		c.Status(http.StatusMethodNotAllowed)
	})
	s.router = r
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.router }

// Drain makes /readyz fail so load balancers stop sending traffic before a stop.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic in handler", slog.Any("panic", v), slog.String("path", c.Request.URL.Path), slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal_error", Message: "Internal error"}})
			}
		}
	}()
	c.Next()
}

func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	s.Metrics.observeHTTP(c.Request.Method, route, c.Writer.Status(), d)
	if strings.HasPrefix(route, "/api/") && !strings.HasSuffix(route, "/ws") {
		s.log.Debug("http", slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Duration("duration", d))
	}
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.bodyLimit(c.FullPath()))
	}
	c.Next()
}

func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(c.Request.URL.Path, "/widget") {
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'")
	}
	c.Next()
}

func (s *Server) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || c.Request.Method != http.MethodGet {
		s.fail(c, appliance.Errorf(appliance.ENOTFOUND, "route_not_found", "no route %s %s", c.Request.Method, p))
		return
	}
	s.serveIndex(c) // client-side routes of the single-page console
}
