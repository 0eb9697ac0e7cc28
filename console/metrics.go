package console

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kefu/appliance"
)

// Metrics are the appliance's Prometheus metrics; they implement
// appliance.Metrics for the engine.
type Metrics struct {
	reg         *prometheus.Registry
	messagesIn  *prometheus.CounterVec
	messagesOut *prometheus.CounterVec
	nluSeconds  *prometheus.HistogramVec
	nluDegraded *prometheus.CounterVec
	handoffs    *prometheus.CounterVec
	httpSeconds *prometheus.HistogramVec
	wsClients   *prometheus.GaugeVec
}

// NewMetrics registers the metrics on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_messages_in_total",
			Help: "Inbound customer messages accepted, by channel."}, []string{"channel"}),
		messagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_messages_out_total",
			Help: "Outbound messages (bot, agent, system), by channel and sender."}, []string{"channel", "sender"}),
		nluSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kefu_nlu_duration_seconds",
			Help: "Time to understand one message, by engine.", Buckets: []float64{5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 3, 8}},
			[]string{"engine"}),
		nluDegraded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_nlu_degraded_total",
			Help: "NLU calls that fell back to a weaker engine, by reason."}, []string{"reason"}),
		handoffs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_handoffs_total",
			Help: "Conversations handed to a human, by reason."}, []string{"reason"}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kefu_http_request_duration_seconds",
			Help: "HTTP request latency by route and status.", Buckets: prometheus.DefBuckets}, []string{"method", "route", "status"}),
		wsClients: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kefu_websocket_clients",
			Help: "Open WebSocket connections, by kind."}, []string{"kind"}),
	}
	m.reg.MustRegister(m.messagesIn, m.messagesOut, m.nluSeconds, m.nluDegraded, m.handoffs, m.httpSeconds, m.wsClients,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry exposes the registry so other components can add their metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// MessageIn implements appliance.Metrics.
func (m *Metrics) MessageIn(channel string) { m.messagesIn.WithLabelValues(channel).Inc() }

// MessageOut implements appliance.Metrics.
func (m *Metrics) MessageOut(channel string, sender appliance.Sender) {
	m.messagesOut.WithLabelValues(channel, string(sender)).Inc()
}

// Understood implements appliance.Metrics.
func (m *Metrics) Understood(engine string, d time.Duration, degraded string) {
	m.nluSeconds.WithLabelValues(engine).Observe(d.Seconds())
	if degraded != "" {
		m.nluDegraded.WithLabelValues(degraded).Inc()
	}
}

// HandedOff implements appliance.Metrics.
func (m *Metrics) HandedOff(reason string) { m.handoffs.WithLabelValues(reason).Inc() }

func (m *Metrics) observeHTTP(method, route string, status int, d time.Duration) {
	m.httpSeconds.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

func (s *Server) metrics(c *gin.Context) {
	promhttp.HandlerFor(s.Metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}
