package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"kefu/appliance"
)

// exportedRecord is the part of an exported conversation record
// (GET /api/v1/conversations/{id}/transcript) the chain covers.
type exportedRecord struct {
	Conversation struct {
		ID int64 `json:"id"`
	} `json:"conversation"`
	Messages []struct {
		ID             int64     `json:"id"`
		ConversationID int64     `json:"conversation_id"`
		Seq            int64     `json:"seq"`
		ChainHash      string    `json:"chain_hash"`
		CreatedAt      time.Time `json:"created_at"`
		Sender         string    `json:"sender"`
		SenderID       int64     `json:"sender_id"`
		Kind           string    `json:"kind"`
		Channel        string    `json:"channel"`
		Text           string    `json:"text"`
		StoredPayload  string    `json:"stored_payload"`
	} `json:"messages"`
	Chain struct {
		Head string `json:"head_hash"`
	} `json:"chain"`
}

// runVerifyRecord recomputes the message chain of an exported conversation
// record from the file alone, without the appliance or its database: a
// record that verifies and whose head matches one recorded independently
// (the audit log, a printed record, a case file) is what was said.
func runVerifyRecord(env *Env, args []string) error {
	fs := flags(env, "verify-record")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		return usageError{"verify-record: give one file, a record exported as JSON"}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("verify-record: %w", err)
	}
	var rec exportedRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.Conversation.ID == 0 {
		return fmt.Errorf("verify-record: %s is not an exported conversation record (%v)", fs.Arg(0), err)
	}
	prev, seq, sealed := "", int64(0), 0
	for _, m := range rec.Messages {
		switch {
		case m.ConversationID != rec.Conversation.ID:
			return fmt.Errorf("verify-record: BROKEN: message %d belongs to conversation %d, not %d", m.ID, m.ConversationID, rec.Conversation.ID)
		case m.Seq == 0 && seq > 0:
			return fmt.Errorf("verify-record: BROKEN: message %d has no hash after sealed ones: it was slipped in", m.ID)
		case m.Seq == 0:
			continue // stored before the chain existed
		case m.Seq != seq+1:
			return fmt.Errorf("verify-record: BROKEN: message %d is number %d of the chain, want %d: a message is missing or out of order", m.ID, m.Seq, seq+1)
		}
		h := appliance.ChainHash(prev, appliance.ChainLink{ConversationID: m.ConversationID, Seq: m.Seq, CreatedAt: m.CreatedAt,
			Sender: m.Sender, SenderID: m.SenderID, Kind: m.Kind, Channel: m.Channel, Text: m.Text, Payload: m.StoredPayload})
		if h != m.ChainHash {
			return fmt.Errorf("verify-record: BROKEN: message %d does not match its hash: it was changed", m.ID)
		}
		prev, seq, sealed = h, m.Seq, sealed+1
	}
	if rec.Chain.Head != prev {
		return fmt.Errorf("verify-record: BROKEN: the record's chain head %q is not its last message's hash %q: messages were removed from the end", rec.Chain.Head, prev)
	}
	fmt.Fprintf(env.Stdout, "intact: conversation #%d, %d messages, %d in the chain\nchain head %s\n", rec.Conversation.ID, len(rec.Messages), sealed, prev)
	fmt.Fprintln(env.Stdout, "Compare the head with one recorded elsewhere (audit log, printed record): a record rewritten with new hashes has another head.")
	return nil
}
