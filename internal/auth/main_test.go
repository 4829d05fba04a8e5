package auth_test

import (
	"os"
	"testing"

	"seura.fi/seura/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}
