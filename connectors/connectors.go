package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"kefu/appliance"
)

// Receiver accepts a normalized inbound message; appliance.Engine satisfies it.
// Receive must be idempotent on Channel+Identity+MessageID: a platform retry of
// a message already accepted returns the stored outcome (Duplicate set) and
// stores nothing new.
type Receiver interface {
	Receive(ctx context.Context, in appliance.Inbound) (*appliance.Outcome, error)
}

// DeliveryRecorder records what became of a reply an adapter delivered itself
// (a WeChat passive reply, a customer-service message sent after the 5-second
// window, a public Douyin comment reply). appliance.MessageStore satisfies it.
type DeliveryRecorder interface {
	SetDelivery(ctx context.Context, messageID int64, d appliance.Delivery) error
}

// MaxBody bounds a platform push body. WeChat and WeCom pushes are a few KB;
// anything near this is not a genuine push.
const MaxBody = 1 << 20

// ReadBody reads a request body up to MaxBody, refusing larger ones.
func ReadBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, &appliance.Error{Kind: appliance.EINVALID, Code: "unreadable_body", Message: "the request body could not be read", Err: err}
	}
	if len(b) > MaxBody {
		return nil, appliance.Errorf(appliance.ETOOLARGE, "body_too_large", "the request body exceeds %d bytes", MaxBody)
	}
	return b, nil
}

// Stable error codes the adapters answer platform pushes with.
const (
	CodeBadSignature = "bad_signature"
	CodeStale        = "stale_timestamp"
	CodeReplayed     = "replayed_nonce"
	CodeMalformed    = "malformed_body"
	CodeWrongAccount = "wrong_account"
)

// Reject builds the error an adapter returns for a push it refuses.
func Reject(kind, code, format string, args ...any) error {
	return appliance.Errorf(kind, code, format, args...)
}

var statusOf = map[string]int{
	appliance.EINVALID:      http.StatusBadRequest,
	appliance.EUNAUTHORIZED: http.StatusUnauthorized,
	appliance.EFORBIDDEN:    http.StatusForbidden,
	appliance.ENOTFOUND:     http.StatusNotFound,
	appliance.ECONFLICT:     http.StatusConflict,
	appliance.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	appliance.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	appliance.ERATELIMIT:    http.StatusTooManyRequests,
	appliance.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// WriteError answers a push with the status of err's kind and its stable code
// as plain text; platforms only look at the status. Internal errors are
// logged and answered 500 so the platform retries (Receive is idempotent).
func WriteError(w http.ResponseWriter, log *slog.Logger, err error) {
	status, ok := statusOf[appliance.ErrorKind(err)]
	if !ok {
		status = http.StatusInternalServerError
		log.Error("push failed", slog.Any("error", err))
		http.Error(w, "internal_error", status)
		return
	}
	log.Warn("push refused", slog.String("code", appliance.ErrorCode(err)), slog.String("reason", appliance.ErrorMessage(err)))
	http.Error(w, appliance.ErrorCode(err)+": "+appliance.ErrorMessage(err), status)
}

// APIError is an error a platform API answered with (WeChat and WeCom
// errcode/errmsg, Douyin error_code/description).
type APIError struct {
	Platform string // "wechat", "wecom", "douyin"
	Op       string // the API path
	Code     int
	Message  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s: errcode %d: %s", e.Platform, e.Op, e.Code, e.Message)
}

// APICode returns the platform error code carried by err, 0 when none.
func APICode(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// DecodeWeixin reads a WeChat-family API response (WeChat, WeCom): a
// non-zero errcode becomes an *APIError, anything else fills out.
func DecodeWeixin(platform, op string, raw []byte, out any) error {
	var e struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("%s: %s: malformed response: %w", platform, op, err)
	}
	if e.ErrCode != 0 {
		return &APIError{Platform: platform, Op: op, Code: e.ErrCode, Message: e.ErrMsg}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s: %s: malformed response: %w", platform, op, err)
		}
	}
	return nil
}
