package appliance

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// IntegrityStore is what the nightly integrity check reads and writes.
type IntegrityStore interface {
	ConversationsWithMessages(ctx context.Context, from, to time.Time, afterID int64, limit int) ([]int64, error)
	VerifyConversation(ctx context.Context, id int64) (*ChainReport, error)
	RecordAudit(ctx context.Context, e *AuditEntry) error
}

// IntegrityResult counts what CheckIntegrity found.
type IntegrityResult struct {
	Conversations, Intact, Broken, Anonymized, Unsealed int
}

// CheckIntegrity verifies the message chain of every conversation with a
// message on the day starting at day (see ChainReport). A broken chain is
// written to the audit log and raised to supervisors as an alert; count
// receives running totals for the job run.
func CheckIntegrity(ctx context.Context, s IntegrityStore, n Notifier, day time.Time, count func(string, int64)) (IntegrityResult, error) {
	if count == nil {
		count = func(string, int64) {}
	}
	var res IntegrityResult
	for after := int64(0); ; {
		ids, err := s.ConversationsWithMessages(ctx, day, day.AddDate(0, 0, 1), after, 500)
		if err != nil {
			return res, err
		}
		for _, id := range ids {
			after = id
			rep, err := s.VerifyConversation(ctx, id)
			if err != nil {
				if IsNotFound(err) { // deleted meanwhile (retention)
					continue
				}
				return res, err
			}
			res.Conversations++
			count("conversations", 1)
			switch {
			case rep.Valid && rep.Sealed == 0:
				// Stored before the chain existed: nothing to check.
				res.Unsealed++
				count("unsealed", 1)
			case rep.Valid:
				res.Intact++
				count("intact", 1)
			case rep.Anonymized:
				res.Anonymized++
				count("anonymized", 1)
			default:
				res.Broken++
				count("broken", 1)
				now := time.Now().UTC()
				if err := s.RecordAudit(ctx, &AuditEntry{ActorType: "system", ActorName: "integrity", Action: "conversation.integrity_failed",
					TargetType: "conversation", TargetID: strconv.FormatInt(id, 10), CreatedAt: now,
					Detail: map[string]any{"problem": rep.Problem, "broken_at": rep.BrokenAt, "messages": rep.Messages}}); err != nil {
					return res, err
				}
				if n != nil {
					n.Publish(Event{Type: EventAlert, Alert: &Alert{Kind: "integrity_failed", ConversationID: id, CreatedAt: now,
						Text: fmt.Sprintf("会话 #%d 完整性校验失败（%s），消息在存储后被改动或删除", id, integrityProblem[rep.Problem])}})
				}
			}
		}
		if len(ids) < 500 {
			return res, ctx.Err()
		}
	}
}

var integrityProblem = map[string]string{"edited": "内容被改动", "missing": "消息缺失", "reordered": "顺序异常", "unsealed": "无哈希的插入消息"}
