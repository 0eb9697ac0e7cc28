package console

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"kefu/appliance"
)

// TestDecodeJSONErrors: a body of the wrong shape is refused with a stable
// code and a message in JSON's terms, never Go's type names.
func TestDecodeJSONErrors(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type request struct {
		Text  string            `json:"text"`
		Count int               `json:"count"`
		On    bool              `json:"on"`
		Tags  []string          `json:"tags"`
		Attrs map[string]string `json:"attrs"`
		Items []inner           `json:"items"`
	}
	for _, tc := range []struct{ body, code, msg string }{
		{``, "empty_body", "the request body is empty"},
		{`{"text":`, "malformed_json", "the body is not valid JSON: unexpected end of JSON input"},
		{`{} {}`, "malformed_json", "the body is not valid JSON: invalid character '{' after top-level value"},
		{`[]`, "malformed_json", "the body must be a JSON object, not an array"},
		{`12`, "malformed_json", "the body must be a JSON object, not a number"},
		{`"hi"`, "malformed_json", "the body must be a JSON object, not a string"},
		{`{"text":5}`, "invalid_field", `field "text" must be a string, not a number`},
		{`{"count":"5"}`, "invalid_field", `field "count" must be a number, not a string`},
		{`{"count":1e99}`, "invalid_field", `field "count" must be a number, not a number (1e99)`},
		{`{"on":"yes"}`, "invalid_field", `field "on" must be a boolean, not a string`},
		{`{"tags":"vip"}`, "invalid_field", `field "tags" must be an array, not a string`},
		{`{"attrs":[1]}`, "invalid_field", `field "attrs" must be an object, not an array`},
		{`{"items":[{"n":"x"}]}`, "invalid_field", `field "items.n" must be a number, not a string`},
	} {
		gin.SetMode(gin.TestMode)
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
		c.Request.Header.Set("Content-Type", "application/json")
		var v request
		err := bindJSON(c, &v)
		var e *appliance.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("body %s: %v; want %s %q", tc.body, err, tc.code, tc.msg)
		}
	}
}
