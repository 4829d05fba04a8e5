package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"seura.fi/seura/internal/atomicfile"
)

// TestWriteReplaces writes a file twice: the second content replaces the
// first whole, with the permissions asked, and no temporary file remains.
func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anchor.json")
	for _, content := range []string{"first\n", "second, longer\n"} {
		if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", info.Mode(), err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is left: %v", err)
	}
}
