package cli

import (
	"os"
	"testing"
)

// TestMain lets a test run the appliance as a child process (see
// TestCrashLosesNothing): with KEFU_TEST_CHILD=serve the test binary is
// `kefu serve --demo`.
func TestMain(m *testing.M) {
	if os.Getenv("KEFU_TEST_CHILD") == "serve" {
		os.Exit(Main([]string{"serve", "--demo"}, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}
