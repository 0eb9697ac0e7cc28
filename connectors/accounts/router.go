package accounts

import (
	"context"
	"slices"

	"kefu/appliance"
)

// router is the appliance.Channel of one channel name: it hands a message
// to the running account of its recipient's namespace (the appid, the
// client_key, or for WeCom the 客服 account).
type router struct {
	name string
	m    *Manager
}

func (r *router) Name() string { return r.name }

func (r *router) Deliver(ctx context.Context, to *appliance.Identity, msg *appliance.Message) error {
	if to == nil {
		return appliance.Errorf(appliance.EINVALID, "wrong_identity", "no recipient")
	}
	ch := r.m.channelFor(r.name, to.Namespace)
	if ch == nil {
		return appliance.Errorf(appliance.ENOTFOUND, "unknown_account", "no running %s account serves %q", r.name, to.Namespace)
	}
	return ch.Deliver(ctx, to, msg)
}

func (m *Manager) channelFor(name, namespace string) appliance.Channel {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if name == KindWeCom {
		if r := m.wecomFor(namespace); r != nil {
			return r.wecom
		}
		return nil
	}
	for _, r := range m.byID {
		if c, ok := r.chans[name]; ok && c.Namespace() == namespace {
			return c
		}
	}
	return nil
}

// wecomFor finds the corp whose 客服 accounts include openKfID; with a
// single corp set up, that one (its account list may be left empty to serve
// all of the corp's). The caller holds m.mu.
func (m *Manager) wecomFor(openKfID string) *running {
	var only *running
	n := 0
	for _, r := range m.byID {
		if r.wecom == nil {
			continue
		}
		if slices.Contains(r.openKfIDs, openKfID) {
			return r
		}
		only = r
		n++
	}
	if n == 1 && len(only.openKfIDs) == 0 {
		return only
	}
	return nil
}
