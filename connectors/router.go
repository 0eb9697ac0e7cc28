package connectors

import (
	"context"
	"fmt"

	"kefu/appliance"
)

// NamespacedChannel is an adapter serving one account (a WeChat appid, a
// WeCom 微信客服 account, a Douyin app) of a platform.
type NamespacedChannel interface {
	appliance.Channel
	// Namespace is the Identity.Namespace of the customers it serves.
	Namespace() string
}

// Router is one appliance.Channel for several accounts of one platform: the
// engine knows channels by name, and each account's adapter is chosen by the
// namespace of the identity a message goes to.
type Router struct {
	name string
	by   map[string]NamespacedChannel
}

// NewRouter returns a router named name over chans, which must all carry that
// name and distinct namespaces.
func NewRouter(name string, chans ...NamespacedChannel) (*Router, error) {
	r := &Router{name: name, by: map[string]NamespacedChannel{}}
	for _, c := range chans {
		if c.Name() != name {
			return nil, fmt.Errorf("connectors: channel %q cannot be routed as %q", c.Name(), name)
		}
		if _, dup := r.by[c.Namespace()]; dup {
			return nil, fmt.Errorf("connectors: two %s accounts share namespace %q", name, c.Namespace())
		}
		r.by[c.Namespace()] = c
	}
	return r, nil
}

// Name returns the channel name.
func (r *Router) Name() string { return r.name }

// Deliver hands m to the adapter of to's namespace.
func (r *Router) Deliver(ctx context.Context, to *appliance.Identity, m *appliance.Message) error {
	c, ok := r.by[to.Namespace]
	if !ok {
		return appliance.Errorf(appliance.ENOTFOUND, "unknown_account", "no %s account is configured for namespace %q", r.name, to.Namespace)
	}
	return c.Deliver(ctx, to, m)
}
