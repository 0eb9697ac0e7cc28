package console

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// ChannelSetup runs the WeChat, WeCom and Douyin accounts admins set up in
// the console (connectors/accounts implements it). As an http.Handler it
// takes the platforms' pushes under /channels/.
type ChannelSetup interface {
	http.Handler
	Kinds() []appliance.ChannelKind
	List(ctx context.Context) ([]appliance.ChannelAccountView, error)
	Save(ctx context.Context, in appliance.ChannelAccountInput) (appliance.ChannelAccountView, error)
	Delete(ctx context.Context, id int64) (*appliance.ChannelAccount, error)
}

// channelPush hands a platform push (WeChat, WeCom, Douyin) to its account.
// The platforms authenticate with their own signatures, checked by the
// adapters.
func (s *Server) channelPush(c *gin.Context) {
	if s.Channels == nil {
		s.fail(c, appliance.Errorf(appliance.ENOTFOUND, "unknown_account", "no channel accounts are set up"))
		return
	}
	s.Channels.ServeHTTP(c.Writer, c.Request)
}

func (s *Server) channelSetup(c *gin.Context) (ChannelSetup, bool) {
	if s.Channels == nil {
		s.fail(c, appliance.Errorf(appliance.EUNAVAILABLE, "channels_unavailable", "channel set-up is not available"))
		return nil, false
	}
	return s.Channels, true
}

func (s *Server) listChannelKinds(c *gin.Context) {
	if ch, ok := s.channelSetup(c); ok {
		c.JSON(http.StatusOK, gin.H{"kinds": ch.Kinds()})
	}
}

func (s *Server) listChannelAccounts(c *gin.Context) {
	ch, ok := s.channelSetup(c)
	if !ok {
		return
	}
	list, err := ch.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"accounts": list})
}

func (s *Server) createChannelAccount(c *gin.Context) { s.saveChannelAccount(c, 0) }

func (s *Server) updateChannelAccount(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.saveChannelAccount(c, id)
}

func (s *Server) saveChannelAccount(c *gin.Context, id int64) {
	ch, ok := s.channelSetup(c)
	if !ok {
		return
	}
	var in appliance.ChannelAccountInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	in.ID = id
	v, err := ch.Save(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The audit names the secrets that were changed, never their values.
	var changed []string
	for k, val := range in.Secrets {
		if val != "" {
			changed = append(changed, k)
		}
	}
	sort.Strings(changed)
	action, status := "channel_account.update", http.StatusOK
	if id == 0 {
		action, status = "channel_account.create", http.StatusCreated
	}
	s.audit(c, currentUser(c), action, "channel_account", strconv.FormatInt(v.ID, 10),
		map[string]any{"kind": v.Kind, "key": v.Key, "enabled": v.Enabled, "secrets_changed": slices.Clip(changed)})
	c.JSON(status, gin.H{"account": v})
}

func (s *Server) deleteChannelAccount(c *gin.Context) {
	ch, ok := s.channelSetup(c)
	if !ok {
		return
	}
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	a, err := ch.Delete(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, currentUser(c), "channel_account.delete", "channel_account", strconv.FormatInt(id, 10),
		map[string]any{"kind": a.Kind, "key": a.Key})
	c.Status(http.StatusNoContent)
}
