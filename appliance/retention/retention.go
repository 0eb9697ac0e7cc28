package retention

import (
	"context"
	"time"

	"kefu/appliance"
)

// Modes.
const (
	Delete    = "delete"
	Anonymize = "anonymize"
)

// Store is what retention needs.
type Store interface {
	// ExpiredConversations lists closed conversations idle since before;
	// anonymized ones (by an earlier run in anonymize mode, or an erasure)
	// only when anonymized is true.
	ExpiredConversations(ctx context.Context, before time.Time, limit int, anonymized bool) ([]int64, error)
	DeleteConversations(ctx context.Context, ids []int64) (messages int64, err error)
	AnonymizeConversations(ctx context.Context, ids []int64) (messages int64, err error)
	DeleteDialogueStatesBefore(ctx context.Context, before time.Time) (int64, error)
	RecordAudit(ctx context.Context, e *appliance.AuditEntry) error
}

// Policy says what to keep.
type Policy struct {
	Days int    // conversations idle longer than this go; 0 keeps everything
	Mode string // Delete or Anonymize
	// StateTTL deletes the dialogue states not updated for this long: past
	// it the dialogue carries nothing over (nlu.focus_timeout), and what a
	// task collected (an ID-card number given for verification) should not
	// stay. 0 keeps them.
	StateTTL time.Duration
}

// Result is what a run did.
type Result struct {
	Cutoff        time.Time
	Conversations int64
	Messages      int64
	States        int64 // dialogue states deleted
}

// Run applies the policy as of now. count, when not nil, receives progress.
func Run(ctx context.Context, s Store, p Policy, now time.Time, count func(string, int64)) (Result, error) {
	if count == nil {
		count = func(string, int64) {}
	}
	res := Result{}
	if p.Days > 0 && p.Mode != Delete && p.Mode != Anonymize {
		return res, appliance.Errorf(appliance.EINVALID, "invalid_retention_mode", "retention mode must be delete or anonymize, got %q", p.Mode)
	}
	if p.StateTTL > 0 {
		var err error
		if res.States, err = sweepStates(ctx, s, p.StateTTL, now); err != nil {
			return res, err
		}
		count("dialogue_states", res.States)
	}
	if p.Days <= 0 {
		return res, nil
	}
	res.Cutoff = now.AddDate(0, 0, -p.Days)
	var err error
	for ctx.Err() == nil {
		var ids []int64
		if ids, err = s.ExpiredConversations(ctx, res.Cutoff, 500, p.Mode == Delete); err != nil || len(ids) == 0 {
			break
		}
		var n int64
		if p.Mode == Delete {
			n, err = s.DeleteConversations(ctx, ids)
		} else {
			n, err = s.AnonymizeConversations(ctx, ids)
		}
		if err != nil {
			break
		}
		res.Conversations += int64(len(ids))
		res.Messages += n
		count("conversations", int64(len(ids)))
		count("messages", n)
	}
	if err == nil {
		err = ctx.Err()
	}
	// The audit entry is written whatever happened: what was removed is gone.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	detail := map[string]any{"mode": p.Mode, "days": p.Days, "cutoff": res.Cutoff.UTC().Format(time.RFC3339),
		"conversations": res.Conversations, "messages": res.Messages}
	if err != nil {
		detail["error"] = err.Error()
	}
	if aerr := s.RecordAudit(actx, &appliance.AuditEntry{ActorType: "system", ActorName: "retention", Action: "retention." + p.Mode,
		TargetType: "conversation", Detail: detail, CreatedAt: now}); aerr != nil && err == nil {
		err = aerr
	}
	return res, err
}

// sweepStates deletes the dialogue states idle longer than ttl and audits
// it when any went.
func sweepStates(ctx context.Context, s Store, ttl time.Duration, now time.Time) (int64, error) {
	before := now.Add(-ttl)
	n, err := s.DeleteDialogueStatesBefore(ctx, before)
	if n == 0 && err == nil {
		return 0, nil
	}
	detail := map[string]any{"idle_longer_than": ttl.String(), "before": before.UTC().Format(time.RFC3339), "deleted": n}
	if err != nil {
		detail["error"] = err.Error()
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if aerr := s.RecordAudit(actx, &appliance.AuditEntry{ActorType: "system", ActorName: "retention", Action: "retention.dialogue_states",
		TargetType: "dialogue_state", Detail: detail, CreatedAt: now}); aerr != nil && err == nil {
		err = aerr
	}
	return n, err
}
