//go:build !unix

package logd

import (
	"context"
	"errors"

	"github.com/transparency-dev/tessera"
)

// errNotUnix: Tessera's POSIX storage needs a Unix-like system. The client
// and `logd verify` work everywhere.
var errNotUnix = errors.New("the log server runs only on Unix-like systems")

func newDriver(context.Context, string) (tessera.Driver, error) { return nil, errNotUnix }

func lockDir(string) (func(), error) { return nil, errNotUnix }
