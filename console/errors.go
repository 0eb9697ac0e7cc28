package console

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// statusOf maps an error kind to its HTTP status; the one place that does.
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
	appliance.EINTERNAL:     http.StatusInternalServerError,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail writes err as {"error":{"code","message"}}. Internal errors are logged
// and shown as "Internal error" only.
func (s *Server) fail(c *gin.Context, err error) {
	kind := appliance.ErrorKind(err)
	status, ok := statusOf[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		status, err = http.StatusRequestEntityTooLarge, appliance.Errorf(appliance.ETOOLARGE, "body_too_large",
			"the request body is larger than %d bytes", maxErr.Limit)
	}
	body := errorBody{Error: errorDetail{Code: appliance.ErrorCode(err), Message: appliance.ErrorMessage(err)}}
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", slog.String("method", c.Request.Method), slog.String("path", c.FullPath()), slog.Any("error", err))
		body.Error = errorDetail{Code: "internal_error", Message: "Internal error"}
	}
	c.AbortWithStatusJSON(status, body)
}

func invalid(code, format string, args ...any) error {
	return appliance.Errorf(appliance.EINVALID, code, format, args...)
}
