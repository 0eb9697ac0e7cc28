package console

import (
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// bindJSON decodes a JSON request body strictly enough to give clear errors:
// a wrong content type, an empty body, malformed JSON and trailing data are
// each refused with their own code.
func bindJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return appliance.Errorf(appliance.ETOOLARGE, "body_too_large", "the request body is larger than %d bytes", maxErr.Limit)
		}
		return invalid("unreadable_body", "unable to read the request body")
	}
	return decodeJSON(c, body, v)
}

func decodeJSON(c *gin.Context, body []byte, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/json") {
			return appliance.Errorf(appliance.EUNSUPPORTED, "unsupported_media_type", "the body must be application/json")
		}
	}
	if len(body) == 0 {
		return invalid("empty_body", "the request body is empty")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			if typeErr.Field == "" {
				return invalid("malformed_json", "the body must be a JSON %s, not %s", jsonKind(typeErr.Type), article(typeErr.Value))
			}
			return invalid("invalid_field", "field %q must be %s, not %s", typeErr.Field, withArticle(jsonKind(typeErr.Type)), article(typeErr.Value))
		}
		return invalid("malformed_json", "the body is not valid JSON: %v", err)
	}
	return nil
}

// jsonKind names the JSON type a Go type decodes from, for error messages
// that speak the client's language rather than Go's.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string"
		}
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value"
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// article turns encoding/json's name for a JSON value ("string", "number
// -1", "array") into a phrase: "a string", "a number (-1)", "an array".
func article(value string) string {
	kind, detail, _ := strings.Cut(value, " ")
	if detail != "" {
		return withArticle(kind) + " (" + detail + ")"
	}
	return withArticle(kind)
}

func withArticle(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "value":
		return "a valid value"
	}
	return "a " + kind
}

func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("invalid_id", "%s must be a positive integer", name)
	}
	return id, nil
}

func queryInt(c *gin.Context, name string, def int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, invalid("invalid_query", "%s must be a non-negative integer", name)
	}
	return n, nil
}

// audit records a privileged action; a failure to record is logged, and the
// action itself already happened, so it is not undone.
func (s *Server) audit(c *gin.Context, actor *appliance.User, action, targetType, targetID string, detail map[string]any) {
	e := &appliance.AuditEntry{ActorType: "user", Action: action, TargetType: targetType, TargetID: targetID,
		Detail: detail, IP: c.ClientIP(), CreatedAt: s.Now()}
	if actor != nil {
		e.ActorID, e.ActorName = actor.ID, actor.Username
	} else {
		e.ActorType = "anonymous"
	}
	if err := s.Store.RecordAudit(c.Request.Context(), e); err != nil {
		s.log.Error("audit record failed", "action", action, "error", err)
	}
}
