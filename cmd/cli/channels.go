package cli

import (
	"context"

	"kefu/appliance"
	"kefu/appliance/store"
	"kefu/connectors/accounts"
)

// newChannels makes the manager of the WeChat, WeCom and Douyin accounts
// set up in the console; Open starts them once the engine exists.
func (p *Program) newChannels() *accounts.Manager {
	a := p.Config.Channels.Accounts
	publicURL := func() string {
		if p.listener == nil {
			return p.Config.PublicURL()
		}
		return p.URL()
	}
	return accounts.New(accounts.Config{Store: p.Store, Sealer: p.Box, APIBases: a.APIBases, PublicURL: publicURL,
		PollInterval: a.WeComPoll, ReplyWindow: a.ReplyWindow, Logger: p.Log})
}

// notifiers publishes every event to each listener: the console's real-time
// hub and the channels (WeCom mirrors hand-off states).
type notifiers []appliance.Notifier

func (ns notifiers) Publish(e appliance.Event) {
	for _, n := range ns {
		n.Publish(e)
	}
}

// merges serves the console's customer-merge history (stored) and undo (by
// the engine, which owns the customers' locks).
type merges struct {
	store  *store.Store
	engine *appliance.Engine
}

func (m merges) CustomerMerges(ctx context.Context, customerID int64) ([]*appliance.CustomerMerge, error) {
	return m.store.CustomerMerges(ctx, customerID)
}

func (m merges) Unmerge(ctx context.Context, mergeID int64, actor *appliance.User, reason string) (*appliance.CustomerMerge, error) {
	return m.engine.Unmerge(ctx, mergeID, actor, reason)
}
