//go:build unix

package logd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/storage/posix"
)

// newDriver opens the Tessera POSIX storage of a data directory.
func newDriver(ctx context.Context, dir string) (tessera.Driver, error) {
	return posix.New(ctx, posix.Config{Path: LogPath(dir)})
}

// lockDir takes an exclusive lock on the data directory for the life of the
// server: two servers on one directory would each keep their own journal
// state and break the sequence-to-leaf mapping. The lock goes with the
// process, so a killed server leaves none behind.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "logd.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s is in use by another log server: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
