package appliance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// ChainTimeLayout is how a message's time enters its hash: stores keep
// milliseconds, and messages are stored truncated to them.
const ChainTimeLayout = "2006-01-02T15:04:05.000Z"

// ChainLink is what a message's hash covers.
type ChainLink struct {
	ConversationID int64
	Seq            int64
	CreatedAt      time.Time
	Sender         string
	SenderID       int64
	Kind, Channel  string
	Text           string
	Payload        string // as stored, byte for byte
}

// ChainHash is the SHA-256 over the previous message's hash and the link's
// content, JSON-encoded so that no two messages share an encoding. The
// store seals messages with it and anyone can recompute it from an exported
// record (kefu verify-record).
func ChainHash(prev string, l ChainLink) string {
	b, _ := json.Marshal([]any{"kefu-message-v1", prev, l.ConversationID, l.Seq, l.CreatedAt.UTC().Format(ChainTimeLayout),
		l.Sender, l.SenderID, l.Kind, l.Channel, l.Text, l.Payload})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ChainReport is what verifying a conversation's message chain found. Every
// message stored carries its place in its conversation and a SHA-256 over
// the previous message's hash and its own content (conversation, place,
// time, sender, kind, channel, text, payload), and the conversation keeps
// the head: a message edited, deleted or slipped in afterwards, outside the
// appliance, breaks the chain at that point.
type ChainReport struct {
	ConversationID int64 `json:"conversation_id"`
	Messages       int   `json:"messages"` // all the conversation's messages
	Sealed         int   `json:"sealed"`   // those carrying a chain hash (older ones predate it)
	Valid          bool  `json:"valid"`
	// Head is the hash of the last message: recorded elsewhere (a case
	// file, a ticket), it proves later that nothing changed since.
	Head string `json:"head_hash,omitempty"`
	// Problem says what broke: "edited" (a message's content or hash does
	// not match), "missing" (a message is gone, or the last ones),
	// "reordered" or "unsealed" (a message without a hash after sealed
	// ones), and BrokenAt the message where it shows (0 when the end of the
	// chain is missing).
	Problem  string `json:"problem,omitempty"`
	BrokenAt int64  `json:"broken_at,omitempty"`
	// Anonymized conversations had their texts blanked by the retention
	// policy, on purpose: their chain no longer matches.
	Anonymized bool `json:"anonymized,omitempty"`
}
