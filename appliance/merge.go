package appliance

import (
	"maps"
	"slices"
	"time"

	"kefu/nlu"
)

// CustomerMerge records that two customer records were proven to be one
// person and joined: the loser's identities and conversations (with their
// messages) moved to the winner, which keeps one dialogue state. A merge is
// undone by an admin or supervisor (Engine.Unmerge); an undone merge is never
// redone automatically.
type CustomerMerge struct {
	ID       int64 `json:"id"`
	WinnerID int64 `json:"winner_id"`
	LoserID  int64 `json:"loser_id"`
	// Reason is why: the kind of the verified identity both records claimed
	// (wechat_unionid, app_user, phone, wecom_external, ...).
	Reason string `json:"reason"`
	// Proof is that identity.
	Proof Identity `json:"proof"`
	// Channel is where the message that proved it came from.
	Channel   string        `json:"channel,omitempty"`
	ActorType string        `json:"actor_type"` // "system" (automatic) or "user"
	ActorID   int64         `json:"actor_id,omitempty"`
	ActorName string        `json:"actor_name,omitempty"`
	Profile   ProfileChange `json:"profile"`
	CreatedAt time.Time     `json:"created_at"`

	UndoneAt     *time.Time `json:"undone_at,omitempty"`
	UndoneByID   int64      `json:"undone_by_id,omitempty"`
	UndoneByName string     `json:"undone_by_name,omitempty"`
	UndoReason   string     `json:"undo_reason,omitempty"`
}

// ProfileChange is what a merge changed in the winner's profile, so that an
// unmerge can take back exactly that and nothing an agent edited since.
type ProfileChange struct {
	DisplayName     string   `json:"display_name,omitempty"` // taken from the loser (the winner had none)
	VIPFrom         int      `json:"vip_from"`
	VIPTo           int      `json:"vip_to"`
	TagsAdded       []string `json:"tags_added,omitempty"`
	AttributesAdded []string `json:"attributes_added,omitempty"` // keys taken from the loser
}

// mergeProfile folds the loser's profile into the winner's: the name when
// the winner has none, the higher VIP level, the union of tags, attributes
// the winner lacks. It returns what changed.
func mergeProfile(w, l *Customer) ProfileChange {
	pc := ProfileChange{VIPFrom: w.VIPLevel, VIPTo: max(w.VIPLevel, l.VIPLevel)}
	if w.DisplayName == "" && l.DisplayName != "" {
		w.DisplayName, pc.DisplayName = l.DisplayName, l.DisplayName
	}
	w.VIPLevel = pc.VIPTo
	for _, t := range l.Tags {
		if !slices.Contains(w.Tags, t) {
			w.Tags = append(w.Tags, t)
			pc.TagsAdded = append(pc.TagsAdded, t)
		}
	}
	if w.Attributes == nil {
		w.Attributes = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(l.Attributes)) {
		if _, ok := w.Attributes[k]; !ok {
			w.Attributes[k] = l.Attributes[k]
			pc.AttributesAdded = append(pc.AttributesAdded, k)
		}
	}
	return pc
}

// revertProfile takes back what a merge changed in the winner, leaving
// values that were edited since alone.
func revertProfile(w, l *Customer, pc ProfileChange) {
	if pc.DisplayName != "" && w.DisplayName == pc.DisplayName {
		w.DisplayName = ""
	}
	if pc.VIPTo != pc.VIPFrom && w.VIPLevel == pc.VIPTo {
		w.VIPLevel = pc.VIPFrom
	}
	w.Tags = slices.DeleteFunc(w.Tags, func(t string) bool { return slices.Contains(pc.TagsAdded, t) })
	for _, k := range pc.AttributesAdded {
		if v, ok := w.Attributes[k]; ok && v == l.Attributes[k] {
			delete(w.Attributes, k)
		}
	}
}

// mergeStates joins two customers' dialogue states into one: the fresher
// state carries on (its active intent and slots), and the things in focus of
// both are kept, the fresher one's winning where both have a role.
func mergeStates(a, b *nlu.State) nlu.State {
	if b.UpdatedAt.After(a.UpdatedAt) {
		a, b = b, a
	}
	out := nlu.State{ActiveIntent: a.ActiveIntent, Slots: maps.Clone(a.Slots), Missing: slices.Clone(a.Missing),
		Focus: map[string]nlu.Entity{}, UpdatedAt: a.UpdatedAt}
	maps.Copy(out.Focus, b.Focus)
	maps.Copy(out.Focus, a.Focus)
	if len(out.Focus) == 0 {
		out.Focus = nil
	}
	return out
}
