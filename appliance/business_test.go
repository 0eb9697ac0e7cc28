package appliance_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"kefu/appliance"
)

// A record without a date (an account) has no date in JSON: the profile
// showed 0001-01-01.
func TestBusinessRecordDateOmitted(t *testing.T) {
	b, _ := json.Marshal(appliance.BusinessRecord{Kind: "account", ID: "demo-1001", Title: "金卡会员"})
	if strings.Contains(string(b), "date") {
		t.Errorf("no date: %s", b)
	}
	b, _ = json.Marshal(appliance.BusinessRecord{Kind: "order", ID: "E1", Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)})
	if !strings.Contains(string(b), `"date":"2026-11-24T00:00:00Z"`) {
		t.Errorf("a date: %s", b)
	}
}
