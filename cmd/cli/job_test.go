package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestJobCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(args, &out, &errb, func(k string) string {
			switch k {
			case "KEFU_DATA_DIR":
				return dir
			case "KEFU_LOG_LEVEL":
				return "error"
			}
			return ""
		})
		return code, out.String(), errb.String()
	}
	code, out, errs := run("job", "run", "qa-audit", "--date", "2026-11-23")
	if code != 0 || !strings.Contains(out, "qa-audit for 2026-11-23: succeeded") {
		t.Fatalf("job run: got %d %q %q, want a succeeded audit of 2026-11-23", code, out, errs)
	}
	code, out, _ = run("job", "list")
	if code != 0 {
		t.Fatalf("job list: exit %d", code)
	}
	for _, want := range []string{"qa-audit", "0 2 * * *", "succeeded", "top-questions", "30 2 * * *", "retention", "0 3 * * *", "integrity", "15 3 * * *"} {
		if !strings.Contains(out, want) {
			t.Errorf("job list lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run("job", "run", "nope"); code != 1 || !strings.Contains(errs, "job_not_found") {
		t.Errorf("unknown job: got %d %q, want exit 1 with job_not_found", code, errs)
	}
	if code, _, _ := run("job", "run"); code != 2 {
		t.Errorf("job run without a name: got exit %d, want 2", code)
	}
	if code, _, _ := run("job", "run", "qa-audit", "--date", "23.11.2026"); code != 2 {
		t.Errorf("bad --date: got exit %d, want 2", code)
	}
	if code, _, errs := run("bench", "audit", "--conversations", "0"); code != 2 || !strings.Contains(errs, "--conversations") {
		t.Errorf("bench audit with 0 conversations: got %d %q, want a usage error", code, errs)
	}
}
