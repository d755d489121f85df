package runner

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that Run leaves no goroutine behind: the SDK's, the
// signal handler's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
