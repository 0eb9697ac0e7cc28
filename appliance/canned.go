package appliance

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// CannedReply is a prepared reply an agent inserts by its shortcut ("/运费").
type CannedReply struct {
	ID        int64     `json:"id"`
	Shortcut  string    `json:"shortcut"` // without the leading slash
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Group     string    `json:"group,omitempty"` // skill group it is meant for; empty for everyone
	CreatedBy int64     `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var shortcutRE = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_\-]{1,32}$`)

// Normalize trims a canned reply and checks its fields.
func (r *CannedReply) Normalize() error {
	r.Shortcut = strings.TrimPrefix(strings.TrimSpace(r.Shortcut), "/")
	r.Title, r.Text, r.Group = strings.TrimSpace(r.Title), trimText(r.Text), strings.TrimSpace(r.Group)
	switch {
	case !shortcutRE.MatchString(r.Shortcut):
		return Errorf(EINVALID, "invalid_shortcut", "the shortcut must be 1-32 letters, digits, _ or -")
	case utf8.RuneCountInString(r.Title) > 64:
		return Errorf(EINVALID, "title_too_long", "the title must be at most 64 characters")
	case r.Text == "":
		return Errorf(EINVALID, "empty_message", "the reply has no text")
	case utf8.RuneCountInString(r.Text) > 2000:
		return Errorf(EINVALID, "message_too_long", "the reply must be at most 2000 characters")
	case utf8.RuneCountInString(r.Group) > 64:
		return Errorf(EINVALID, "invalid_group", "the group name is too long")
	}
	return nil
}
