package accounts

import (
	"context"
	"log/slog"
	"time"

	"kefu/appliance"
)

// Publish implements appliance.Notifier: a WeCom customer's conversation
// changing hands (handed off, taken, closed) is mirrored into WeCom's
// service state, in order, off the engine's path.
func (m *Manager) Publish(e appliance.Event) {
	if e.Type != appliance.EventConversation || e.Conversation == nil || e.Conversation.LastChannel != KindWeCom {
		return
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed || !m.opened {
		return
	}
	select {
	case m.states <- e:
	default:
		m.log.Warn("wecom service state queue full; change not mirrored", slog.Int64("conversation_id", e.Conversation.ID))
	}
}

func (m *Manager) syncStates() {
	defer m.workers.Done()
	for e := range m.states {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := m.syncState(ctx, e.Conversation); err != nil {
			m.log.Warn("wecom service state not mirrored", slog.Int64("conversation_id", e.Conversation.ID),
				slog.String("status", string(e.Conversation.Status)), slog.Any("error", err))
		}
		cancel()
	}
}

func (m *Manager) syncState(ctx context.Context, c *appliance.Conversation) error {
	to, err := m.cfg.Store.Identity(ctx, c.LastIdentityID)
	if err != nil {
		return err
	}
	if to.Kind != appliance.IdentityWeComExternal {
		return nil
	}
	m.mu.RLock()
	r := m.wecomFor(to.Namespace)
	m.mu.RUnlock()
	if r == nil {
		return appliance.Errorf(appliance.ENOTFOUND, "unknown_account", "no running WeCom account serves %q", to.Namespace)
	}
	servicer := ""
	if c.Status == appliance.StatusAssigned {
		u, err := m.cfg.Store.User(ctx, c.AssigneeID)
		if err != nil {
			return err
		}
		if servicer = r.servicers[u.Username]; servicer == "" {
			// WeCom needs a servicer for 人工接待; without one the
			// customer stays 排队中 there, which is still true enough.
			m.log.Info("agent has no WeCom userid in the account's servicers; service state left as is", slog.String("agent", u.Username))
			return nil
		}
	}
	return r.wecom.SyncState(ctx, to, c.Status, servicer)
}
