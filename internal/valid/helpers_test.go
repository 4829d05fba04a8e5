package valid

import (
	"strings"
	"testing"
)

// testField is the field name passed to validators in tests.
const testField = "card"

// checkErr asserts the shape shared by all validator errors: the field, a
// colon and a non-empty reason, on one line and without a trailing period.
func checkErr(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	reason, ok := strings.CutPrefix(msg, testField+": ")
	if !ok || reason == "" || strings.ContainsAny(msg, "\r\n") || strings.HasSuffix(msg, ".") {
		t.Fatalf("badly formed error %q", msg)
	}
}

// checkResult compares a validator's result with a table entry, where a
// non-empty wantErr is a substring the error must contain.
func checkResult(t *testing.T, in, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("%q: got %q, want error containing %q", in, got, wantErr)
		}
		checkErr(t, err)
		if !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("%q: error %q, want it to contain %q", in, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("%q: unexpected error %v", in, err)
	}
	if got != want {
		t.Fatalf("%q: got %q, want %q", in, got, want)
	}
}
