package appliance

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Erasure is what erasing a customer's personal information removed, on a
// request under the Personal Information Protection Law (个人信息保护法,
// art. 47) or a deployment's own policy.
type Erasure struct {
	CustomerID int64 `json:"customer_id"`
	// Records are the customer records erased: the one asked for and those
	// merged into it (one person).
	Records       []int64 `json:"records"`
	Conversations int64   `json:"conversations"` // anonymized: texts, payloads, decisions, summaries, CSAT comments
	Messages      int64   `json:"messages"`
	Identities    int64   `json:"identities"` // deleted: the channels no longer know the person
	Tickets       int64   `json:"tickets"`    // titles, bodies, data and history notes blanked
	// AuditDetails are the audit entries of profile edits whose details
	// (attributes before and after) were removed; who and when stay.
	AuditDetails int64     `json:"audit_details"`
	ErasedAt     time.Time `json:"erased_at"`
}

// ErasureStore is what erasing needs beyond Store (appliance/store
// implements it).
type ErasureStore interface {
	// MergedRecords returns the customer records merged into id, directly
	// or through others.
	MergedRecords(ctx context.Context, id int64) ([]int64, error)
	// EraseCustomers removes the personal information of the records ids
	// (see Erasure) and marks them erased at at, in one transaction.
	EraseCustomers(ctx context.Context, ids []int64, at time.Time) (Erasure, error)
}

// ErasedText replaces what an erased customer's messages said.
const ErasedText = "[已删除 erased]"

// EraseCustomer removes what the appliance holds about a person: their name,
// attributes and tags, every channel identity (so a later message from the
// same WeChat account starts a new, unknown customer), the dialogue state,
// the texts of their conversations and tickets, and what merges recorded of
// them. What remains are counts for statistics (conversations, messages,
// their times, channels and outcomes, QA results with excerpts masked) and
// the audit record of the erasure, which names who did it and why but not
// what was erased. Admins only; a reason is required; a customer with a
// conversation still open is refused (close it first), so nothing is written
// after the erasure.
func (e *Engine) EraseCustomer(ctx context.Context, id int64, actor *User, reason string) (*Erasure, error) {
	es, ok := e.store.(ErasureStore)
	if !ok {
		return nil, Errorf(EUNSUPPORTED, "erasure_unsupported", "this store cannot erase customers")
	}
	if actor == nil || actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "forbidden", "only admins can erase a customer's personal information")
	}
	reason = strings.TrimSpace(reason)
	switch n := len([]rune(reason)); {
	case n == 0:
		return nil, Errorf(EINVALID, "reason_required", "say why the customer's information is erased (e.g. the request's reference)")
	case n > 200:
		return nil, Errorf(EINVALID, "reason_too_long", "the reason must be at most 200 characters")
	}
	id, unlock, err := e.lockCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out Erasure
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		if _, err := e.store.Customer(ctx, id); err != nil {
			return err
		}
		records, err := es.MergedRecords(ctx, id)
		if err != nil {
			return err
		}
		records = append([]int64{id}, records...)
		for _, r := range records {
			if c, err := e.store.OpenConversation(ctx, r); err == nil {
				return Errorf(ECONFLICT, "conversation_open", "conversation %d of this customer is still open; close it first", c.ID)
			} else if !IsNotFound(err) {
				return err
			}
		}
		if out, err = es.EraseCustomers(ctx, records, e.now()); err != nil {
			return err
		}
		out.CustomerID = id
		return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
			Action: "customer.erase", TargetType: "customer", TargetID: strconv.FormatInt(id, 10), CreatedAt: out.ErasedAt,
			Detail: map[string]any{"reason": reason, "records": out.Records, "conversations": out.Conversations,
				"messages": out.Messages, "identities": out.Identities, "tickets": out.Tickets, "audit_details": out.AuditDetails}})
	})
	if err != nil {
		return nil, err
	}
	e.log.Info("customer erased", slog.Int64("customer_id", id), slog.Int("records", len(out.Records)),
		slog.Int64("conversations", out.Conversations), slog.String("by", actor.Username))
	return &out, nil
}
