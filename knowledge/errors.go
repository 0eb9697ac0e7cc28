package knowledge

import (
	"errors"
	"fmt"
)

// Stable error codes. They cross into the appliance, which maps each one to
// its own error kind (see Error.Kind) and from there to an HTTP status.
const (
	CodeUnsupportedType   = "unsupported_type"   // the content is not a format we read
	CodeFileTooLarge      = "file_too_large"     // over the upload limit
	CodeCorruptFile       = "corrupt_file"       // the format is right but the file cannot be read
	CodeEmptyDocument     = "empty_document"     // no text could be extracted
	CodeInvalidSheet      = "invalid_faq_sheet"  // an FAQ sheet without the required columns or values
	CodeDuplicate         = "duplicate_content"  // the same (or nearly the same) content already exists
	CodeInvalid           = "invalid_input"      // a request that makes no sense (missing id, empty question, ...)
	CodeNotFound          = "not_found"          // no such item or version
	CodeInvalidTransition = "invalid_transition" // the workflow does not allow this step from the current status
	CodeVersionConflict   = "version_conflict"   // someone else changed the item meanwhile
	CodeIndexUnavailable  = "index_unavailable"  // the index backend (Qdrant, disk) failed
	CodeEmbedUnavailable  = "embed_unavailable"  // the embedding model failed
)

// Error is the error the knowledge package returns for anything a caller
// can act on. File names the uploaded file when there is one, so an editor
// sees which of twenty files was broken.
type Error struct {
	Code    string
	File    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := "knowledge: " + e.Code
	if e.File != "" {
		s += ": " + e.File
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Kind names the appliance error kind this error belongs to; the strings are
// the same as appliance.E* so the mapping is a lookup, not a translation.
func (e *Error) Kind() string {
	switch e.Code {
	case CodeUnsupportedType:
		return "unsupported"
	case CodeFileTooLarge:
		return "too_large"
	case CodeCorruptFile, CodeEmptyDocument, CodeInvalidSheet, CodeInvalid:
		return "invalid"
	case CodeDuplicate, CodeInvalidTransition, CodeVersionConflict, CodeItemExists:
		return "conflict"
	case CodeNotFound:
		return "not_found"
	case CodeIndexUnavailable, CodeEmbedUnavailable:
		return "unavailable"
	}
	return "internal"
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func errorf(code, file, format string, args ...any) *Error {
	return &Error{Code: code, File: file, Message: fmt.Sprintf(format, args...)}
}

func wrapErr(code, file string, err error, format string, args ...any) *Error {
	return &Error{Code: code, File: file, Message: fmt.Sprintf(format, args...), Err: err}
}
