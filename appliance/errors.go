package appliance

import (
	"errors"
	"fmt"
)

// Error kinds. Each kind maps to one HTTP status in console; the code carried
// next to it is the stable, lower_snake identifier clients rely on.
const (
	EINVALID      = "invalid"      // bad input: 400
	EUNAUTHORIZED = "unauthorized" // no or bad credentials: 401
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed: 403
	ENOTFOUND     = "not_found"    // 404
	ECONFLICT     = "conflict"     // state does not allow it: 409
	ETOOLARGE     = "too_large"    // 413
	EUNSUPPORTED  = "unsupported"  // unsupported media type: 415
	ERATELIMIT    = "rate_limited" // 429
	EUNAVAILABLE  = "unavailable"  // a dependency is down: 503
	EINTERNAL     = "internal"     // everything else: 500, logged, never shown
)

// Error is the one error type the domain speaks. Kind decides the HTTP status,
// Code is the stable machine-readable identifier (e.g. "bad_signature"), and
// Message is safe to show to the caller.
type Error struct {
	Kind    string
	Code    string
	Message string
	Err     error // wrapped cause, never shown to callers
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind and code.
func Errorf(kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err, EINTERNAL when err is not an *Error.
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return EINTERNAL
}

// ErrorCode returns the stable code of err, "internal_error" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return "internal_error"
}

// ErrorMessage returns the caller-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}

// IsNotFound reports whether err is an ENOTFOUND error.
func IsNotFound(err error) bool { return err != nil && ErrorKind(err) == ENOTFOUND }

// IsConflict reports whether err is an ECONFLICT error.
func IsConflict(err error) bool { return err != nil && ErrorKind(err) == ECONFLICT }
