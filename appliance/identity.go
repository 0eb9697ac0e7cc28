package appliance

import (
	"context"
	"log/slog"
	"strconv"
)

// IdentityStore is what joining a customer's identities across channels
// needs beyond Store. The engine links identities when its Store implements
// it (appliance/store does); otherwise every identity stays its own customer.
type IdentityStore interface {
	// FindIdentity returns an existing identity, ENOTFOUND when none.
	FindIdentity(ctx context.Context, kind IdentityKind, namespace, value string) (*Identity, error)
	// AttachIdentity gives a customer one more identity; ECONFLICT when the
	// identity already exists.
	AttachIdentity(ctx context.Context, customerID int64, id Identity) (*Identity, error)
	// SurvivingCustomer follows a customer's merges to the record that
	// survives (id itself when it was never merged), without loading it.
	SurvivingCustomer(ctx context.Context, id int64) (int64, error)
	// CustomerRecord returns a customer row as stored, without following
	// merges.
	CustomerRecord(ctx context.Context, id int64) (*Customer, error)
	UpdateCustomer(ctx context.Context, c *Customer) error
	// MergeCustomers moves the loser's identities and conversations (with
	// their messages) to the winner, marks the loser merged and records m.
	// ECONFLICT when either is already merged into another record.
	MergeCustomers(ctx context.Context, m *CustomerMerge) error
	// UndoMerge moves back what MergeCustomers moved and records who undid
	// it (m.UndoneAt, m.UndoneByID, ...).
	UndoMerge(ctx context.Context, m *CustomerMerge) error
	CustomerMerge(ctx context.Context, id int64) (*CustomerMerge, error)
	// MergeUndoneBetween reports whether a merge of these two records was
	// undone before: an admin said they are different people.
	MergeUndoneBetween(ctx context.Context, a, b int64) (bool, error)
}

func (e *Engine) identities() (IdentityStore, bool) {
	s, ok := e.store.(IdentityStore)
	return s, ok
}

// verifiedAlso returns the further identities the channel vouches for,
// without the sender's own identity and without repeats.
func verifiedAlso(in *Inbound) []Identity {
	var out []Identity
	seen := map[[3]string]bool{{string(in.Identity.Kind), in.Identity.Namespace, in.Identity.Value}: true}
	for _, a := range in.Also {
		k := [3]string{string(a.Kind), a.Namespace, a.Value}
		if !a.Verified || a.Kind == "" || a.Value == "" || len(a.Value) > 128 || len(a.Namespace) > 64 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, a)
	}
	return out
}

// resolve finds (or creates) the customer an inbound message comes from and
// joins the verified identities the channel vouches for to it: a new one is
// attached; one that already belongs to another customer proves the two
// records are one person, and they are merged. Unverified identities never
// join or merge anything.
func (e *Engine) resolve(ctx context.Context, in *Inbound) (int64, *Identity, error) {
	ids, ok := e.identities()
	also := verifiedAlso(in)
	if !ok || len(also) == 0 {
		cust, ident, err := e.store.ResolveIdentity(ctx, in.Identity, in.DisplayName)
		if err != nil {
			return 0, nil, err
		}
		return cust.ID, ident, nil
	}
	ident, err := ids.FindIdentity(ctx, in.Identity.Kind, in.Identity.Namespace, in.Identity.Value)
	if IsNotFound(err) {
		ident, err = e.attachNew(ctx, ids, in, also)
	}
	if err != nil {
		return 0, nil, err
	}
	customerID, err := ids.SurvivingCustomer(ctx, ident.CustomerID)
	if err != nil {
		return 0, nil, err
	}
	for _, a := range also {
		have, err := ids.FindIdentity(ctx, a.Kind, a.Namespace, a.Value)
		if IsNotFound(err) {
			if _, err = ids.AttachIdentity(ctx, customerID, a); err == nil {
				continue
			}
			if !IsConflict(err) {
				return 0, nil, err
			}
			// Attached concurrently by another message: treat it as known.
			have, err = ids.FindIdentity(ctx, a.Kind, a.Namespace, a.Value)
		}
		if err != nil {
			return 0, nil, err
		}
		owner, err := ids.SurvivingCustomer(ctx, have.CustomerID)
		if err != nil {
			return 0, nil, err
		}
		if owner == customerID {
			continue
		}
		if !have.Verified {
			// The other record only claims it: not proof that they are one.
			e.log.Info("identity claimed by another customer without proof; not merged",
				slog.String("kind", string(a.Kind)), slog.Int64("customer_id", customerID), slog.Int64("other_id", owner))
			continue
		}
		if customerID, err = e.merge(ctx, customerID, owner, a, in.Channel); err != nil {
			return 0, nil, err
		}
	}
	return customerID, ident, nil
}

// attachNew joins a sender seen for the first time to the customer one of
// their verified identities already belongs to, or creates a customer.
func (e *Engine) attachNew(ctx context.Context, ids IdentityStore, in *Inbound, also []Identity) (*Identity, error) {
	for _, a := range also {
		have, err := ids.FindIdentity(ctx, a.Kind, a.Namespace, a.Value)
		if IsNotFound(err) || (err == nil && !have.Verified) {
			continue
		}
		if err != nil {
			return nil, err
		}
		owner, err := ids.SurvivingCustomer(ctx, have.CustomerID)
		if err != nil {
			return nil, err
		}
		ident, err := ids.AttachIdentity(ctx, owner, in.Identity)
		if IsConflict(err) {
			break // the sender was created concurrently: resolve it below
		}
		return ident, err
	}
	_, ident, err := e.store.ResolveIdentity(ctx, in.Identity, in.DisplayName)
	return ident, err
}

// merge joins two customer records proven to be one person by a verified
// identity; the older record survives. It returns the surviving id.
func (e *Engine) merge(ctx context.Context, a, b int64, proof Identity, channel string) (int64, error) {
	ids, _ := e.identities()
	winner, loser := min(a, b), max(a, b)
	unlock, err := e.lockPair(ctx, winner, loser)
	if err != nil {
		return 0, err
	}
	defer unlock()

	if undone, err := ids.MergeUndoneBetween(ctx, winner, loser); err != nil {
		return 0, err
	} else if undone {
		e.log.Info("customers share a verified identity but their merge was undone; kept apart",
			slog.Int64("customer_id", a), slog.Int64("other_id", b))
		return a, nil
	}
	var m *CustomerMerge
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		w, err := ids.CustomerRecord(ctx, winner)
		if err != nil {
			return err
		}
		l, err := ids.CustomerRecord(ctx, loser)
		if err != nil {
			return err
		}
		if w.MergedInto != 0 || l.MergedInto != 0 {
			// Merged meanwhile by another message: nothing left to do here.
			return Errorf(ECONFLICT, "already_merged", "customer %d or %d was merged meanwhile", winner, loser)
		}
		ws, err := e.store.DialogueState(ctx, winner)
		if err != nil {
			return err
		}
		ls, err := e.store.DialogueState(ctx, loser)
		if err != nil {
			return err
		}
		now := e.now()
		m = &CustomerMerge{WinnerID: winner, LoserID: loser, Reason: string(proof.Kind), Proof: proof, Channel: channel,
			ActorType: "system", Profile: mergeProfile(w, l), CreatedAt: now}
		if err := ids.MergeCustomers(ctx, m); err != nil {
			return err
		}
		if err := ids.UpdateCustomer(ctx, w); err != nil {
			return err
		}
		st := mergeStates(ws, ls)
		if err := e.store.SaveDialogueState(ctx, winner, &st); err != nil {
			return err
		}
		return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "system", Action: "customer.merge", TargetType: "customer",
			TargetID: strconv.FormatInt(winner, 10), CreatedAt: now,
			Detail: map[string]any{"merge_id": m.ID, "winner_id": winner, "loser_id": loser, "reason": m.Reason, "channel": channel}})
	})
	if IsConflict(err) {
		return ids.SurvivingCustomer(ctx, a)
	}
	if err != nil {
		return 0, err
	}
	e.log.Info("customers merged", slog.Int64("merge_id", m.ID), slog.Int64("winner_id", winner),
		slog.Int64("loser_id", loser), slog.String("reason", m.Reason))
	return winner, nil
}

// Unmerge undoes a merge: the loser gets back its identities and
// conversations, and what the merge changed in the winner's profile is taken
// back. Only the newest merge of a chain can be undone first: a winner that
// was merged into yet another record must be unmerged from it before.
func (e *Engine) Unmerge(ctx context.Context, mergeID int64, actor *User, reason string) (*CustomerMerge, error) {
	ids, ok := e.identities()
	if !ok {
		return nil, Errorf(EUNSUPPORTED, "merges_unsupported", "this store does not keep customer merges")
	}
	if actor == nil || !actor.Role.Supervises() {
		return nil, Errorf(EFORBIDDEN, "forbidden", "only admins and supervisors can undo a merge")
	}
	m, err := ids.CustomerMerge(ctx, mergeID)
	if err != nil {
		return nil, err
	}
	unlock, err := e.lockPair(ctx, m.WinnerID, m.LoserID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		if m, err = ids.CustomerMerge(ctx, mergeID); err != nil {
			return err
		}
		if m.UndoneAt != nil {
			return Errorf(ECONFLICT, "merge_undone", "the merge was already undone")
		}
		w, err := ids.CustomerRecord(ctx, m.WinnerID)
		if err != nil {
			return err
		}
		if w.MergedInto != 0 {
			return Errorf(ECONFLICT, "merge_superseded", "customer %d was merged into customer %d since; undo that merge first", w.ID, w.MergedInto)
		}
		l, err := ids.CustomerRecord(ctx, m.LoserID)
		if err != nil {
			return err
		}
		now := e.now()
		m.UndoneAt, m.UndoneByID, m.UndoneByName, m.UndoReason = &now, actor.ID, actor.Username, reason
		if err := ids.UndoMerge(ctx, m); err != nil {
			return err
		}
		revertProfile(w, l, m.Profile)
		if err := ids.UpdateCustomer(ctx, w); err != nil {
			return err
		}
		return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
			Action: "customer.unmerge", TargetType: "customer", TargetID: strconv.FormatInt(m.WinnerID, 10), CreatedAt: now,
			Detail: map[string]any{"merge_id": m.ID, "winner_id": m.WinnerID, "loser_id": m.LoserID, "reason": reason}})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// lockPair locks two customers in id order, so two merges never wait on
// each other.
func (e *Engine) lockPair(ctx context.Context, a, b int64) (func(), error) {
	if a > b {
		a, b = b, a
	}
	ua, err := e.locks.Lock(ctx, a)
	if err != nil || a == b {
		return ua, err
	}
	ub, err := e.locks.Lock(ctx, b)
	if err != nil {
		ua()
		return nil, err
	}
	return func() { ub(); ua() }, nil
}

// lockCustomer locks a customer, following a merge that happened while the
// caller waited: a message resolved to a record merged meanwhile goes to the
// surviving record.
func (e *Engine) lockCustomer(ctx context.Context, id int64) (int64, func(), error) {
	ids, ok := e.identities()
	if !ok {
		unlock, err := e.locks.Lock(ctx, id)
		return id, unlock, err
	}
	for hops := 0; ; hops++ {
		unlock, err := e.locks.Lock(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		to, err := ids.SurvivingCustomer(ctx, id)
		if err != nil {
			unlock()
			return 0, nil, err
		}
		if to == id || hops == 8 {
			return id, unlock, nil
		}
		unlock()
		id = to
	}
}
