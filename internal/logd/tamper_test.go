package logd

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flipByte changes one byte of a log file and returns a function that puts
// it back.
func flipByte(t *testing.T, path string, offset int) func() {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := append([]byte(nil), orig...)
	changed[offset] ^= 0x20
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// entryOffset is the byte offset of the data of entry pos in a bundle.
func entryOffset(t *testing.T, bundle []byte, pos int) int {
	t.Helper()
	off := 0
	for range pos {
		off += 2 + int(binary.BigEndian.Uint16(bundle[off:]))
	}
	return off + 2
}

func wantProblem(t *testing.T, err error, file string, leaf int64) {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("Verify = %v, want a problem in %s", err, file)
	}
	if p.File != file || p.Leaf != leaf {
		t.Fatalf("Verify found %q (file %s leaf %d), want file %s leaf %d", p.Error(), p.File, p.Leaf, file, leaf)
	}
	t.Logf("detected: %v", err)
}

func TestChangedFilesDetected(t *testing.T) {
	l := newTestLog(t, "logd.test/tamper")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	entries := events("a", 1, 300)
	appendAll(t, c, entries, 150)
	cp, err := c.WaitCheckpoint(ctx, 300)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, l.dir); err != nil {
		t.Fatalf("untouched log: %v", err)
	}
	logDir := LogPath(l.dir)

	t.Run("leaf hash in a tile", func(t *testing.T) {
		restore := flipByte(t, filepath.Join(logDir, "tile/0/000"), 17*32+5)
		defer restore()
		_, err := Verify(ctx, l.dir)
		wantProblem(t, err, "tile/0/000", 17)
		// The server builds leaf 16's proof from the changed tile.
		if _, err := c.InclusionProof(ctx, 16, cp, LeafHash(entries[16].Data)); !errors.Is(err, ErrVerification) {
			t.Errorf("inclusion proof over a changed tile: %v, want ErrVerification", err)
		}
	})

	t.Run("node in a higher tile", func(t *testing.T) {
		restore := flipByte(t, filepath.Join(logDir, "tile/1/000.p/1"), 3)
		defer restore()
		_, err := Verify(ctx, l.dir)
		wantProblem(t, err, "tile/1/000.p/1", 0)
	})

	t.Run("entry data", func(t *testing.T) {
		path := filepath.Join(logDir, "tile/entries/000")
		bundle, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		restore := flipByte(t, path, entryOffset(t, bundle, 40)+3)
		defer restore()
		_, err = Verify(ctx, l.dir)
		wantProblem(t, err, "tile/entries/000", 40)
		if !strings.Contains(err.Error(), "entry data changed") {
			t.Errorf("problem %q does not say the entry changed", err)
		}
		if _, err := c.Entry(ctx, 40, cp); !errors.Is(err, ErrVerification) {
			t.Errorf("reading a changed entry: %v, want ErrVerification", err)
		}
	})

	t.Run("entry in the partial bundle", func(t *testing.T) {
		path := filepath.Join(logDir, "tile/entries/001.p/44")
		bundle, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		restore := flipByte(t, path, entryOffset(t, bundle, 43))
		defer restore()
		_, err = Verify(ctx, l.dir)
		wantProblem(t, err, "tile/entries/001.p/44", 299)
	})

	t.Run("checkpoint", func(t *testing.T) {
		restore := flipByte(t, filepath.Join(logDir, "checkpoint"), 30)
		defer restore()
		_, err := Verify(ctx, l.dir)
		wantProblem(t, err, "checkpoint", -1)
	})

	if _, err := Verify(ctx, l.dir); err != nil {
		t.Fatalf("restored log: %v", err)
	}
}

// A log that rewrites history under the same key: the second data directory
// holds the same key but different entries. Each checkpoint verifies on its
// own; only the consistency proof exposes the fork.
func TestForkedLogFailsConsistency(t *testing.T) {
	honest := newTestLog(t, "logd.test/fork")
	fork := &testLog{dir: t.TempDir(), vkey: honest.vkey, token: honest.token, tc: honest.tc}
	for _, name := range []string{keyFileName, pubFileName, sendersFileName} {
		b, err := os.ReadFile(filepath.Join(honest.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fork.dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testContext(t)
	hc := honest.client(t, honest.start(t).url, honest.token)
	fc := fork.client(t, fork.start(t).url, fork.token)

	appendAll(t, hc, events("a", 1, 50), 50)
	held, err := hc.WaitCheckpoint(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	// Same first 40 events, then different ones.
	appendAll(t, fc, append(events("a", 1, 40), events("b", 41, 50)...), 50)
	same, err := fc.WaitCheckpoint(ctx, 50)
	if err != nil {
		t.Fatalf("forked checkpoint should carry a valid signature: %v", err)
	}
	if _, err := fc.ConsistencyProof(ctx, held, same); !errors.Is(err, ErrVerification) {
		t.Errorf("same-size fork: %v, want ErrVerification", err)
	}
	appendAll(t, fc, events("b", 51, 120), 70)
	grown, err := fc.WaitCheckpoint(ctx, 120)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.ConsistencyProof(ctx, held, grown); !errors.Is(err, ErrVerification) {
		t.Errorf("grown fork: %v, want ErrVerification", err)
	}
	// The honest log grown the same way stays consistent.
	appendAll(t, hc, events("a", 51, 120), 70)
	next, err := hc.WaitCheckpoint(ctx, 120)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.ConsistencyProof(ctx, held, next); err != nil {
		t.Errorf("honest log: %v", err)
	}
}

// A log that has grown past its checkpoint, with the narrower partial files
// already cleaned up by Tessera, still verifies against that checkpoint.
func TestVerifyCheckpointOlderThanTree(t *testing.T) {
	l := newTestLog(t, "logd.test/older")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	appendAll(t, c, events("a", 1, 300), 300)
	old, err := c.WaitCheckpoint(ctx, 300)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, c, events("a", 301, 600), 300)
	if _, err := c.WaitCheckpoint(ctx, 600); err != nil {
		t.Fatal(err)
	}
	r.stop(t)
	// As if the checkpoint for 600 had not been signed yet.
	if err := os.WriteFile(filepath.Join(LogPath(l.dir), "checkpoint"), old.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// Tessera's garbage collection removes partial files once the full
	// bundle or tile exists (it runs every minute; do it now).
	for _, gone := range []string{"tile/entries/001.p", "tile/0/001.p"} {
		if err := os.RemoveAll(filepath.Join(LogPath(l.dir), gone)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Verify(ctx, l.dir)
	if err != nil || res.Size != 300 {
		t.Fatalf("Verify = %+v, %v; want size 300", res, err)
	}
	// A client holding the older checkpoint still reads its entries.
	r = l.start(t)
	c = l.client(t, r.url, l.token)
	data, err := c.Entry(ctx, 299, old)
	if err != nil || string(data) != string(event("a", 300).Data) {
		t.Errorf("entry 299 under the older checkpoint = %q, %v", data, err)
	}
}
