package console

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

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
			return invalid("invalid_field", "field %q must be a %s", typeErr.Field, typeErr.Type.String())
		}
		return invalid("malformed_json", "the body is not valid JSON: %v", err)
	}
	return nil
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
