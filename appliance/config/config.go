package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Config is the effective configuration. Field tags: yaml names the key,
// default gives its default, secret masks it when printed and allows the
// *_FILE form, help documents it (README's configuration reference is
// generated from the same table by `kefu config print --help`).
type Config struct {
	DataDir   string `yaml:"data_dir" default:"./data" help:"directory for the SQLite database, the knowledge index and generated keys"`
	SecretKey string `yaml:"secret_key" secret:"true" help:"key that encrypts stored credentials and what was said (database.encrypt) and signs widget tokens; generated into data_dir/secret.key when empty"`
	// SecretKeyPrevious is the master key used before a rotation.
	SecretKeyPrevious string `yaml:"secret_key_previous" secret:"true" help:"after changing secret_key: the key used before, so what it encrypted and signed stays readable until kefu migrate --encrypt-existing encrypts it again under secret_key"`
	Lang              string `yaml:"lang" default:"zh-CN" help:"default language of bot texts and the console (zh-CN or en)"`

	HTTP struct {
		Addr            string        `yaml:"addr" default:"127.0.0.1:8080" help:"address the HTTP server listens on"`
		PublicURL       string        `yaml:"public_url" help:"URL customers and agents use to reach the appliance (printed at start-up); default http://ADDR"`
		MaxBodyBytes    int64         `yaml:"max_body_bytes" default:"1048576" help:"largest accepted request body in bytes (uploads have their own limit)"`
		SecureCookies   bool          `yaml:"secure_cookies" default:"false" help:"mark session cookies Secure; set true behind a TLS proxy"`
		TrustedProxies  []string      `yaml:"trusted_proxies" help:"comma-separated proxy CIDRs whose X-Forwarded-For is trusted"`
		ShutdownTimeout time.Duration `yaml:"shutdown_timeout" default:"15s" help:"how long a graceful stop waits for requests in flight"`
	} `yaml:"http"`

	Database struct {
		DSN          string `yaml:"dsn" secret:"true" help:"MySQL/MariaDB DSN (user:pass@tcp(host:3306)/kefu?parseTime=true); empty uses SQLite in data_dir"`
		MaxOpenConns int    `yaml:"max_open_conns" default:"20" help:"connection pool size (MySQL)"`
		SQLiteSync   string `yaml:"sqlite_sync" default:"full" help:"SQLite durability: full survives a power cut or OS crash; normal only a process crash, and is ~15% faster"`
		Encrypt      bool   `yaml:"encrypt" default:"true" help:"encrypt what customers and agents said at rest (message texts and payloads, dialogue states, tickets and their notes, summaries, customers' names, attributes and channel identities, audit details, QA excerpts and judgements, analytics reports, live events) with AES-256-GCM under a key derived from secret_key; back that key up: without it they cannot be read"`
	} `yaml:"database"`

	Log struct {
		Level  string `yaml:"level" default:"info" help:"debug, info, warn or error"`
		Format string `yaml:"format" default:"text" help:"text or json"`
	} `yaml:"log"`

	Session struct {
		TTL time.Duration `yaml:"ttl" default:"12h" help:"console session lifetime"`
		// Presence is what keeps agents' status true when they vanish
		// without logging out (console/presence.go).
		PresenceTimeout time.Duration `yaml:"presence_timeout" default:"90s" help:"an online or busy agent with no console open and no request for this long is set offline, and back when the console reconnects (0 disables)"`
	} `yaml:"session"`

	Channels struct {
		App struct {
			Key     string        `yaml:"key" help:"app API key (X-Kefu-Key); the demo data creates one when empty"`
			Secret  string        `yaml:"secret" secret:"true" help:"app API secret for HMAC-SHA256 request signatures"`
			MaxSkew time.Duration `yaml:"max_skew" default:"5m" help:"how far X-Kefu-Timestamp may be from now"`
		} `yaml:"app"`
		Web struct {
			AllowedOrigins []string `yaml:"allowed_origins" help:"origins allowed to embed the widget (comma-separated); empty allows any"`
		} `yaml:"web"`
		// Accounts: the WeChat, WeCom and Douyin accounts admins set up in
		// the console (issue 7).
		Accounts struct {
			APIBases    []string      `yaml:"api_bases" default:"https://api.weixin.qq.com,https://qyapi.weixin.qq.com,https://open.douyin.com" help:"API base URLs that WeChat, WeCom and Douyin accounts set up in the console may use (the platforms, or a gateway in front of them); no other host is ever called"`
			WeComPoll   time.Duration `yaml:"wecom_poll" default:"1m" help:"how often WeCom 微信客服 accounts are synced without a callback (0 turns polling off)"`
			ReplyWindow time.Duration `yaml:"reply_window" default:"4s" help:"how long a WeChat or Douyin push waits for the answer before it is acknowledged and the answer is sent through the API (the platforms wait 5s)"`
		} `yaml:"accounts"`
	} `yaml:"channels"`

	Qdrant struct {
		Addr   string `yaml:"addr" help:"Qdrant gRPC address host:port; empty uses the embedded index"`
		APIKey string `yaml:"api_key" secret:"true" help:"Qdrant API key"`
		TLS    bool   `yaml:"tls" default:"false" help:"connect to Qdrant with TLS"`
	} `yaml:"qdrant"`

	Ollama struct {
		URL        string        `yaml:"url" help:"Ollama base URL (http://127.0.0.1:11434); empty runs without an LLM"`
		ChatModel  string        `yaml:"chat_model" default:"qwen2.5:7b-instruct" help:"chat model for NLU fallback, grounded answers and summaries"`
		EmbedModel string        `yaml:"embed_model" default:"bge-m3" help:"embedding model for dense retrieval"`
		Timeout    time.Duration `yaml:"timeout" default:"8s" help:"deadline of one LLM call"`
	} `yaml:"ollama"`

	NLU struct {
		Catalogs     []string      `yaml:"catalogs" default:"ecommerce,finance,education,travel" help:"intent catalogs used until an admin saves one in the console: shipped names (ecommerce, finance, education, travel) or YAML file paths"`
		Threshold    float64       `yaml:"threshold" default:"0.55" help:"calibrated local confidence at or above which the LLM is not asked"`
		IdleTimeout  time.Duration `yaml:"idle_timeout" default:"30m" help:"a customer's open task (intent, slots) is forgotten after this long without messages"`
		FocusTimeout time.Duration `yaml:"focus_timeout" default:"24h" help:"what the customer talked about (the order, the product) stays in focus this long, across channels; the retention job deletes dialogue states idle longer than this"`
		Timeout      time.Duration `yaml:"timeout" default:"3s" help:"deadline of one NLU call, LLM included"`
		// OrderPatterns and TrackingPatterns add the deployment's own formats
		// to the built-in ones (entity.DefaultOrderPatterns).
		OrderPatterns    []string `yaml:"order_patterns" help:"regular expressions (in the environment a JSON array, or comma-separated) for this deployment's order numbers, added to the built-in ones (a number after 订单号/单号/order, or a bare run of 12-24 digits); a capturing group is the number. The demo adds its shop's E+12 digits"`
		TrackingPatterns []string `yaml:"tracking_patterns" help:"regular expressions for this deployment's tracking numbers, added to the built-in ones (after 快递单号/运单号, and the common carriers' SF/YT/JD/ZTO/... formats)"`
	} `yaml:"nlu"`

	Knowledge struct {
		Tone           string `yaml:"tone" default:"亲切、简洁、专业" help:"tone of generated answers (with Ollama)"`
		MaxUploadBytes int64  `yaml:"max_upload_bytes" default:"20971520" help:"largest knowledge file an editor may upload"`
		SynonymsFile   string `yaml:"synonyms_file" help:"synonym list for retrieval (one group per line); the demo ships its own"`
		Collection     string `yaml:"collection" default:"kefu_default" help:"Qdrant collection of the knowledge base"`
	} `yaml:"knowledge"`

	Conversation struct {
		IdleClose    time.Duration `yaml:"idle_close" default:"30m" help:"close a bot conversation after this long without messages"`
		MaxTextRunes int           `yaml:"max_text_runes" default:"4000" help:"longest accepted message, in characters"`
	} `yaml:"conversation"`

	Playbooks struct {
		Names            []string      `yaml:"names" default:"ecommerce,finance,education,travel" help:"industry playbooks: shipped names (ecommerce, finance, education, travel) or YAML file paths; console edits override them"`
		Actions          string        `yaml:"actions" help:"business actions document (YAML file); empty uses the shipped one, whose endpoints the demo points at its own systems"`
		Tickets          string        `yaml:"tickets" help:"ticket types document (YAML file: states, transitions, department webhooks); empty uses the shipped types"`
		DispatchInterval time.Duration `yaml:"dispatch_interval" default:"5s" help:"how often undelivered ticket notifications (webhooks, customer notices) are retried"`
	} `yaml:"playbooks"`

	Handoff HandoffConfig `yaml:"handoff"`
	Routing RoutingConfig `yaml:"routing"`

	Jobs struct {
		Timezone     string `yaml:"timezone" default:"Asia/Shanghai" help:"time zone of job schedules and of the days audits and reports cover"`
		QAAudit      string `yaml:"qa_audit" default:"0 2 * * *" help:"cron schedule of the nightly QA audit of the previous day (job qa-audit)"`
		TopQuestions string `yaml:"top_questions" default:"30 2 * * *" help:"cron schedule of the daily and weekly reports (job top-questions)"`
		Retention    string `yaml:"retention" default:"0 3 * * *" help:"cron schedule of the retention job (job retention)"`
		Integrity    string `yaml:"integrity" default:"15 3 * * *" help:"cron schedule of the check of the previous day's message chains (job integrity)"`
		Disabled     bool   `yaml:"disabled" default:"false" help:"schedule no jobs on this node (kefu job run and the console's run now still work)"`
	} `yaml:"jobs"`

	QA struct {
		Realtime bool `yaml:"realtime" default:"true" help:"check agent messages against the QA rules as they are sent and alert supervisors"`
		Judge    bool `yaml:"judge" default:"true" help:"when ollama.url is set, let the chat model score audited conversations on the rubric"`
		JudgeMax int  `yaml:"judge_max" default:"200" help:"most conversations the LLM judge scores in one nightly audit"`
	} `yaml:"qa"`

	// Cluster runs several nodes behind one load balancer on one MySQL or
	// MariaDB database (appliance/cluster).
	Cluster struct {
		Enabled   bool          `yaml:"enabled" default:"false" help:"run as one of several nodes on one MySQL/MariaDB database (database.dsn): live events, presence and administrators' changes are shared through it, and one node at a time routes"`
		NodeID    string        `yaml:"node_id" help:"this node's name, unique in the cluster (at most 64 bytes); default hostname-pid"`
		Poll      time.Duration `yaml:"poll" default:"100ms" help:"how often a node reads the other nodes' live events (the extra delay they see)"`
		Heartbeat time.Duration `yaml:"heartbeat" default:"5s" help:"how often a node says it is alive and who is connected to it; three missed make it gone"`
		Recover   time.Duration `yaml:"recover" default:"1m" help:"an inbound message left unanswered or undelivered this long is taken over by the routing node (its node stopped)"`
	} `yaml:"cluster"`

	Privacy struct {
		ErasureApproval bool `yaml:"erasure_approval" default:"true" help:"erasing a customer's personal information takes two people: an admin asks (with the reason), another admin or a compliance officer approves; false lets one admin erase alone"`
	} `yaml:"privacy"`

	Retention struct {
		Days int    `yaml:"days" default:"1095" help:"closed conversations idle longer than this many days are removed by the retention job; 0 keeps everything"`
		Mode string `yaml:"mode" default:"anonymize" help:"what the retention job does to old conversations: anonymize (blank texts, keep the rows) or delete"`
	} `yaml:"retention"`
}

// Validate checks the configuration and names the first bad key.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return bad("data_dir", "must not be empty")
	}
	if !slices.Contains([]string{"zh-CN", "en"}, c.Lang) {
		return bad("lang", "must be zh-CN or en, got %q", c.Lang)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", "must be host:port, got %q", c.HTTP.Addr)
	}
	if c.HTTP.PublicURL != "" {
		if u, err := url.Parse(c.HTTP.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("http.public_url", "must be an http(s) URL, got %q", c.HTTP.PublicURL)
		}
	}
	for key, list := range map[string][]string{"nlu.order_patterns": c.NLU.OrderPatterns, "nlu.tracking_patterns": c.NLU.TrackingPatterns} {
		for _, p := range list {
			if _, err := regexp.Compile(p); err != nil {
				return bad(key, "%q is not a regular expression: %v", p, err)
			}
		}
	}
	if c.HTTP.MaxBodyBytes < 1024 || c.HTTP.MaxBodyBytes > 64<<20 {
		return bad("http.max_body_bytes", "must be between 1024 and 67108864, got %d", c.HTTP.MaxBodyBytes)
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil {
			return bad("http.trusted_proxies", "%q is not a CIDR", p)
		}
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		return bad("http.shutdown_timeout", "must be positive")
	}
	if c.Database.MaxOpenConns < 1 {
		return bad("database.max_open_conns", "must be at least 1")
	}
	if !slices.Contains([]string{"full", "normal"}, c.Database.SQLiteSync) {
		return bad("database.sqlite_sync", "must be full or normal, got %q", c.Database.SQLiteSync)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		return bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		return bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	if c.Cluster.Enabled {
		if c.Database.DSN == "" {
			return bad("cluster.enabled", "needs database.dsn: the nodes share one MySQL/MariaDB database (SQLite is one process's file)")
		}
		if len(c.Cluster.NodeID) > 64 {
			return bad("cluster.node_id", "must be at most 64 bytes")
		}
		if c.Cluster.Poll < 10*time.Millisecond || c.Cluster.Poll > 10*time.Second {
			return bad("cluster.poll", "must be between 10ms and 10s, got %s", c.Cluster.Poll)
		}
		if c.Cluster.Heartbeat < time.Second || c.Cluster.Heartbeat > time.Minute {
			return bad("cluster.heartbeat", "must be between 1s and 1m, got %s", c.Cluster.Heartbeat)
		}
		if c.Cluster.Recover < 10*time.Second {
			return bad("cluster.recover", "must be at least 10s, got %s", c.Cluster.Recover)
		}
	}
	if c.Session.TTL < time.Minute {
		return bad("session.ttl", "must be at least 1m")
	}
	if p := c.Session.PresenceTimeout; p < 0 || (p > 0 && p < 10*time.Second) {
		return bad("session.presence_timeout", "must be 0 (disabled) or at least 10s")
	}
	if (c.Channels.App.Key == "") != (c.Channels.App.Secret == "") {
		if c.Channels.App.Key == "" {
			return bad("channels.app.key", "is required when channels.app.secret is set")
		}
		return bad("channels.app.secret", "is required when channels.app.key is set")
	}
	if c.Channels.App.Secret != "" && len(c.Channels.App.Secret) < 16 {
		return bad("channels.app.secret", "must be at least 16 characters")
	}
	if c.Channels.App.MaxSkew < 10*time.Second || c.Channels.App.MaxSkew > time.Hour {
		return bad("channels.app.max_skew", "must be between 10s and 1h")
	}
	for _, b := range c.Channels.Accounts.APIBases {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("channels.accounts.api_bases", "%q is not an http(s) URL", b)
		}
	}
	if p := c.Channels.Accounts.WeComPoll; p != 0 && p < 10*time.Second {
		return bad("channels.accounts.wecom_poll", "must be 0 (off) or at least 10s")
	}
	if w := c.Channels.Accounts.ReplyWindow; w < 500*time.Millisecond || w > 4500*time.Millisecond {
		return bad("channels.accounts.reply_window", "must be between 500ms and 4.5s: the platforms give up after 5s")
	}
	if c.Qdrant.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Qdrant.Addr); err != nil {
			return bad("qdrant.addr", "must be host:port, got %q", c.Qdrant.Addr)
		}
	}
	if c.Ollama.URL != "" {
		if u, err := url.Parse(c.Ollama.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("ollama.url", "must be an http(s) URL, got %q", c.Ollama.URL)
		}
		if c.Ollama.ChatModel == "" {
			return bad("ollama.chat_model", "is required when ollama.url is set")
		}
	}
	if c.Ollama.Timeout <= 0 {
		return bad("ollama.timeout", "must be positive")
	}
	if c.NLU.Timeout <= 0 {
		return bad("nlu.timeout", "must be positive")
	}
	if len(c.NLU.Catalogs) == 0 {
		return bad("nlu.catalogs", "must name at least one catalog")
	}
	if c.NLU.Threshold <= 0 || c.NLU.Threshold >= 1 {
		return bad("nlu.threshold", "must be between 0 and 1, got %v", c.NLU.Threshold)
	}
	if c.NLU.IdleTimeout < time.Minute {
		return bad("nlu.idle_timeout", "must be at least 1m")
	}
	if c.NLU.FocusTimeout < c.NLU.IdleTimeout {
		return bad("nlu.focus_timeout", "must be at least nlu.idle_timeout")
	}
	if c.Knowledge.MaxUploadBytes < 1024 || c.Knowledge.MaxUploadBytes > 512<<20 {
		return bad("knowledge.max_upload_bytes", "must be between 1024 and 536870912")
	}
	if c.Knowledge.Collection == "" {
		return bad("knowledge.collection", "must not be empty")
	}
	if c.Conversation.IdleClose < time.Minute {
		return bad("conversation.idle_close", "must be at least 1m")
	}
	if c.Conversation.MaxTextRunes < 1 || c.Conversation.MaxTextRunes > 100000 {
		return bad("conversation.max_text_runes", "must be between 1 and 100000")
	}
	if c.Playbooks.DispatchInterval < 100*time.Millisecond {
		return bad("playbooks.dispatch_interval", "must be at least 100ms")
	}
	if err := c.validateHandoff(); err != nil {
		return err
	}
	if err := c.validateJobs(); err != nil {
		return err
	}
	return nil
}

// PublicURL returns the configured public URL or one derived from http.addr.
func (c *Config) PublicURL() string {
	if c.HTTP.PublicURL != "" {
		return strings.TrimRight(c.HTTP.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(c.HTTP.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// SQLitePath is where the embedded database lives.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "kefu.db") }
