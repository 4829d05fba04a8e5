package report_test

import (
	"testing"

	"seura.fi/seura/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
