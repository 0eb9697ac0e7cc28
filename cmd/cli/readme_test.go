package cli

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration reference is generated from the configuration
// table; this keeps it true.
func TestReadmeConfigReference(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- config:begin -->\n", "<!-- config:end -->"
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q … %q markers", begin, end)
	}
	if got, want := s[i+len(begin):j], ConfigMarkdown(); got != want {
		t.Errorf("README.md's configuration reference is out of date; regenerate it with `bin/kefu config keys --markdown`.\ngot:\n%s\nwant:\n%s", got, want)
	}
}
