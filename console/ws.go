package console

import (
	"context"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/gin-gonic/gin"

	"kefu/appliance"
	"kefu/appliance/pii"
)

// consoleWS streams events to an agent's console: conversations changing
// state (the queue), new messages and alerts. The socket carries no history;
// after a reconnect the console reloads the queue and fetches each open
// conversation's messages after the last id it holds.
func (s *Server) consoleWS(c *gin.Context) {
	user := currentUser(c)
	if !can(user.Role, permConversationsView) {
		s.fail(c, appliance.Errorf(appliance.EFORBIDDEN, "forbidden", "your role (%s) may not watch conversations", user.Role))
		return
	}
	// coder/websocket refuses cross-origin upgrades by default: a page on
	// another site cannot ride the agent's cookie.
	conn, err := websocket.Accept(wsWriter{c.Writer}, c.Request, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(4 << 10)
	s.Metrics.wsClients.WithLabelValues("console").Inc()
	defer s.Metrics.wsClients.WithLabelValues("console").Dec()
	s.consoleConnected(c.Request.Context(), user)
	defer func() { s.presence.disconnect(user.ID, s.Now()) }()

	unmasked := can(user.Role, permPIIView)
	sub := s.Hub.Subscribe(func(e appliance.Event) bool {
		if e.Type == appliance.EventAlert {
			return e.Alert.UserID == 0 && user.Role.Supervises() || e.Alert.UserID == user.ID
		}
		return true
	})
	defer s.Hub.Unsubscribe(sub)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		defer cancel()
		for {
			var f struct {
				Type string `json:"type"`
			}
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				return
			}
			_ = f // the console only sends keep-alives; reading detects a closed socket
		}
	}()
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.done:
			conn.Close(websocket.StatusTryAgainLater, "too slow, reconnect")
			return
		case <-ping.C:
			if err := writeFrame(ctx, conn, gin.H{"type": "ping"}); err != nil {
				return
			}
		case e := <-sub.events:
			if e.Message != nil && !unmasked {
				m := *e.Message
				m.Text = pii.Mask(m.Text)
				m.Decision = redactDecision(m.Decision)
				e.Message = &m
			}
			if err := writeFrame(ctx, conn, e); err != nil {
				return
			}
		}
	}
}
