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
// their times, channels and outcomes, QA results, encrypted) and
// the audit record of the erasure, which names who did it and why but not
// what was erased. Admins only; a reason is required; a customer with a
// conversation still open is refused (close it first), so nothing is written
// after the erasure. With four eyes (the console's default), an admin asks
// (RequestErasure) and someone else decides (DecideErasure) instead.
func (e *Engine) EraseCustomer(ctx context.Context, id int64, actor *User, reason string) (*Erasure, error) {
	if actor == nil || actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "forbidden", "only admins can erase a customer's personal information")
	}
	reason, err := erasureReason(reason)
	if err != nil {
		return nil, err
	}
	return e.erase(ctx, id, map[string]any{"reason": reason}, actor, nil)
}

// erase does the erasure and audits it as customer.erase by actor with
// detail and the counts; also runs in the same transaction (the decision on
// the request that asked for it).
func (e *Engine) erase(ctx context.Context, id int64, detail map[string]any, actor *User, also func(context.Context) error) (*Erasure, error) {
	es, ok := e.store.(ErasureStore)
	if !ok {
		return nil, Errorf(EUNSUPPORTED, "erasure_unsupported", "this store cannot erase customers")
	}
	id, unlock, err := e.lockCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out Erasure
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		if err := e.notErased(ctx, id); err != nil {
			return err
		}
		records, err := es.MergedRecords(ctx, id)
		if err != nil {
			return err
		}
		records = append([]int64{id}, records...)
		for _, r := range records {
			if err := e.noOpenConversation(ctx, r); err != nil {
				return err
			}
		}
		if out, err = es.EraseCustomers(ctx, records, e.now()); err != nil {
			return err
		}
		out.CustomerID = id
		if also != nil {
			if err := also(ctx); err != nil {
				return err
			}
		}
		d := map[string]any{"records": out.Records, "conversations": out.Conversations, "messages": out.Messages,
			"identities": out.Identities, "tickets": out.Tickets, "audit_details": out.AuditDetails}
		for k, v := range detail {
			d[k] = v
		}
		return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
			Action: "customer.erase", TargetType: "customer", TargetID: strconv.FormatInt(id, 10), CreatedAt: out.ErasedAt, Detail: d})
	})
	if err != nil {
		return nil, err
	}
	e.log.Info("customer erased", slog.Int64("customer_id", id), slog.Int("records", len(out.Records)),
		slog.Int64("conversations", out.Conversations), slog.String("by", actor.Username))
	return &out, nil
}

// Erasure request states.
const (
	ErasurePending  = "pending"
	ErasureApproved = "approved"
	ErasureRejected = "rejected"
)

// ErasureRequest is an admin's request to erase a customer's personal
// information, waiting for a second person's decision (four eyes).
type ErasureRequest struct {
	ID            int64      `json:"id"`
	CustomerID    int64      `json:"customer_id"`
	Status        string     `json:"status"`
	Reason        string     `json:"reason"`
	RequestedBy   int64      `json:"requested_by"`
	RequestedName string     `json:"requested_name"`
	DecidedBy     int64      `json:"decided_by,omitempty"`
	DecidedName   string     `json:"decided_name,omitempty"`
	DecisionNote  string     `json:"decision_note,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	// Erasure is what the approval erased.
	Erasure *Erasure `json:"erasure,omitempty"`
}

// ErasureRequests stores erasure requests (appliance/store implements it).
type ErasureRequests interface {
	CreateErasureRequest(ctx context.Context, r *ErasureRequest) error
	ErasureRequest(ctx context.Context, id int64) (*ErasureRequest, error)
	// PendingErasure returns the customer's pending request, ENOTFOUND if none.
	PendingErasure(ctx context.Context, customerID int64) (*ErasureRequest, error)
	// PendingErasures lists the pending requests, oldest first.
	PendingErasures(ctx context.Context, limit int) ([]*ErasureRequest, error)
	// DecideErasure records the decision on a pending request; a request
	// decided meanwhile is an ECONFLICT.
	DecideErasure(ctx context.Context, r *ErasureRequest) error
}

// erasureReason checks and trims the reason of an erasure or its request.
func erasureReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := len([]rune(reason)); {
	case n == 0:
		return "", Errorf(EINVALID, "reason_required", "say why the customer's information is erased (e.g. the request's reference)")
	case n > 200:
		return "", Errorf(EINVALID, "reason_too_long", "the reason must be at most 200 characters")
	}
	return reason, nil
}

// RequestErasure asks for a customer's personal information to be erased;
// someone else decides (DecideErasure). Admins only, with a reason; refused
// while a conversation of the customer is open or another request waits.
func (e *Engine) RequestErasure(ctx context.Context, id int64, actor *User, reason string) (*ErasureRequest, error) {
	rs, ok := e.store.(ErasureRequests)
	if !ok {
		return nil, Errorf(EUNSUPPORTED, "erasure_unsupported", "this store cannot erase customers")
	}
	if actor == nil || actor.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "forbidden", "only admins can ask for a customer's personal information to be erased")
	}
	reason, err := erasureReason(reason)
	if err != nil {
		return nil, err
	}
	id, unlock, err := e.lockCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out *ErasureRequest
	err = e.store.WithTx(ctx, func(ctx context.Context) error {
		if err := e.notErased(ctx, id); err != nil {
			return err
		}
		if err := e.noOpenConversation(ctx, id); err != nil {
			return err
		}
		if p, err := rs.PendingErasure(ctx, id); err == nil {
			return Errorf(ECONFLICT, "erasure_pending", "request %d to erase this customer is waiting for a decision", p.ID)
		} else if !IsNotFound(err) {
			return err
		}
		out = &ErasureRequest{CustomerID: id, Status: ErasurePending, Reason: reason, RequestedBy: actor.ID,
			RequestedName: actor.Username, CreatedAt: e.now()}
		if err := rs.CreateErasureRequest(ctx, out); err != nil {
			return err
		}
		return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
			Action: "customer.erase_request", TargetType: "customer", TargetID: strconv.FormatInt(id, 10), CreatedAt: out.CreatedAt,
			Detail: map[string]any{"request": out.ID, "reason": reason}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DecideErasure approves or rejects a pending erasure request. The decider
// is an admin or a compliance officer other than the person who asked; an
// approval erases (EraseCustomer's work, audited with both names), and is
// refused, leaving the request pending, while a conversation is open.
func (e *Engine) DecideErasure(ctx context.Context, requestID int64, actor *User, approve bool, note string) (*ErasureRequest, error) {
	rs, ok := e.store.(ErasureRequests)
	if !ok {
		return nil, Errorf(EUNSUPPORTED, "erasure_unsupported", "this store cannot erase customers")
	}
	if actor == nil || (actor.Role != RoleAdmin && actor.Role != RoleCompliance) {
		return nil, Errorf(EFORBIDDEN, "forbidden", "only admins and compliance officers decide erasure requests")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 200 {
		return nil, Errorf(EINVALID, "note_too_long", "the note must be at most 200 characters")
	}
	r, err := rs.ErasureRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.RequestedBy == actor.ID {
		return nil, Errorf(EFORBIDDEN, "four_eyes", "someone other than the person who asked must decide an erasure request")
	}
	if r.Status != ErasurePending {
		return nil, Errorf(ECONFLICT, "erasure_decided", "the request was already %s", r.Status)
	}
	now := e.now()
	r.DecidedBy, r.DecidedName, r.DecisionNote, r.DecidedAt = actor.ID, actor.Username, note, &now
	if !approve {
		r.Status = ErasureRejected
		err := e.store.WithTx(ctx, func(ctx context.Context) error {
			if err := rs.DecideErasure(ctx, r); err != nil {
				return err
			}
			return e.store.RecordAudit(ctx, &AuditEntry{ActorType: "user", ActorID: actor.ID, ActorName: actor.Username,
				Action: "customer.erase_reject", TargetType: "customer", TargetID: strconv.FormatInt(r.CustomerID, 10), CreatedAt: now,
				Detail: map[string]any{"request": r.ID, "requested_by": r.RequestedName, "note": note}})
		})
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	r.Status = ErasureApproved
	er, err := e.erase(ctx, r.CustomerID, map[string]any{"reason": r.Reason, "request": r.ID, "requested_by": r.RequestedName,
		"approved_by": actor.Username, "note": note}, actor, func(ctx context.Context) error { return rs.DecideErasure(ctx, r) })
	if err != nil {
		return nil, err
	}
	r.Erasure = er
	return r, nil
}

// notErased refuses a customer that does not exist or was erased already.
func (e *Engine) notErased(ctx context.Context, id int64) error {
	c, err := e.store.Customer(ctx, id)
	if err != nil {
		return err
	}
	if c.ErasedAt != nil {
		return Errorf(ECONFLICT, "customer_erased", "this customer's personal information was already erased")
	}
	return nil
}

// noOpenConversation refuses while a conversation of the customer is open.
func (e *Engine) noOpenConversation(ctx context.Context, id int64) error {
	if c, err := e.store.OpenConversation(ctx, id); err == nil {
		return Errorf(ECONFLICT, "conversation_open", "conversation %d of this customer is still open; close it first", c.ID)
	} else if !IsNotFound(err) {
		return err
	}
	return nil
}
