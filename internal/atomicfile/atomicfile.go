// Package atomicfile replaces small files (the audit anchor, the log
// server's sender list) so that a crash leaves the old content or the new,
// never an empty or half-written file.
package atomicfile

import "os"

// Write writes data to a temporary file beside path, syncs it to disk and
// renames it over path.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// Synced before the rename: otherwise a crash can leave the new name
	// on an empty file.
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
