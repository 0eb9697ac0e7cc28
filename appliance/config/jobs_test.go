package config

import (
	"strings"
	"testing"
)

func TestJobKeysAreValidated(t *testing.T) {
	cases := map[string]string{
		"KEFU_JOBS_TIMEZONE":  "Mars/Olympus",
		"KEFU_JOBS_QA_AUDIT":  "every night",
		"KEFU_QA_JUDGE_MAX":   "-1",
		"KEFU_RETENTION_DAYS": "-5",
		"KEFU_RETENTION_MODE": "shred",
	}
	for env, val := range cases {
		_, err := Load("", func(k string) string {
			if k == env {
				return val
			}
			return ""
		})
		key := strings.ToLower(strings.Replace(strings.TrimPrefix(env, "KEFU_"), "_", ".", 1))
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: got %v, want an error naming %s", env, val, err, key)
		}
	}
	c, err := Load("", func(k string) string {
		return map[string]string{"KEFU_JOBS_QA_AUDIT": "@daily", "KEFU_JOBS_TIMEZONE": "UTC"}[k]
	})
	if err != nil || c.Jobs.QAAudit != "@daily" || c.Location().String() != "UTC" {
		t.Errorf("valid overrides: got %v %+v", err, c.Jobs)
	}
}
