package logd

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/tessera/api/layout"
)

// appendAll sends entries in batches and returns the leaf index of each.
func appendAll(t *testing.T, c *Client, entries []Entry, batch int) []uint64 {
	t.Helper()
	ctx := testContext(t)
	var idx []uint64
	for i := 0; i < len(entries); i += batch {
		end := min(i+batch, len(entries))
		got, err := c.Append(ctx, entries[i:end])
		if err != nil {
			t.Fatalf("append seq %d..%d: %v", entries[i].Seq, entries[end-1].Seq, err)
		}
		for _, a := range got {
			idx = append(idx, a.Index)
		}
	}
	return idx
}

func TestAppendAndReadBackWithInclusionProofs(t *testing.T) {
	l := newTestLog(t, "logd.test/read-back")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	entries := events("a", 1, 300)
	idx := appendAll(t, c, entries, 128)
	for i, index := range idx {
		if index != uint64(i) {
			t.Fatalf("seq %d got leaf index %d, want %d", i+1, index, i)
		}
	}
	cp, err := c.WaitCheckpoint(ctx, 300)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != 300 || cp.Origin != "logd.test/read-back" {
		t.Fatalf("checkpoint %d %q, want 300 logd.test/read-back", cp.Size, cp.Origin)
	}
	for _, i := range []uint64{0, 1, 127, 255, 256, 299} {
		if _, err := c.InclusionProof(ctx, i, cp, LeafHash(entries[i].Data)); err != nil {
			t.Errorf("inclusion of leaf %d: %v", i, err)
		}
		data, err := c.Entry(ctx, i, cp)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if !bytes.Equal(data, entries[i].Data) {
			t.Errorf("entry %d = %q, want %q", i, data, entries[i].Data)
		}
	}
	// A proof for the wrong leaf must not verify.
	_, err = c.InclusionProof(ctx, 5, cp, LeafHash(entries[6].Data))
	if !errors.Is(err, ErrVerification) {
		t.Errorf("inclusion of leaf 6's hash at index 5: %v, want ErrVerification", err)
	}
	head, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.LastSeq != 300 || head.TreeSize != 300 {
		t.Errorf("head last seq %d tree size %d, want 300 300", head.LastSeq, head.TreeSize)
	}
	if res, err := Verify(ctx, l.dir); err != nil || res.Size != 300 {
		t.Errorf("Verify = %+v, %v", res, err)
	}
}

func TestConsistencyBetweenCheckpoints(t *testing.T) {
	l := newTestLog(t, "logd.test/consistency")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	appendAll(t, c, events("a", 1, 70), 70)
	older, err := c.WaitCheckpoint(ctx, 70)
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, c, events("a", 71, 600), 256)
	newer, err := c.WaitCheckpoint(ctx, 600)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := c.ConsistencyProof(ctx, older, newer)
	if err != nil {
		t.Fatalf("consistency %d -> %d: %v", older.Size, newer.Size, err)
	}
	// The same proof against a different old root must fail.
	forged := older
	forged.Hash = bytes.Clone(older.Hash)
	forged.Hash[0] ^= 1
	if err := VerifyConsistency(forged, newer, hashes); !errors.Is(err, ErrVerification) {
		t.Errorf("consistency with a changed old root: %v, want ErrVerification", err)
	}
	if _, err := c.ConsistencyProof(ctx, newer, older); !errors.Is(err, ErrVerification) {
		t.Errorf("consistency backwards: %v, want ErrVerification", err)
	}
}

func TestReappendIsIdempotent(t *testing.T) {
	l := newTestLog(t, "logd.test/idempotent")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	first := appendAll(t, c, events("a", 1, 10), 10)
	again := appendAll(t, c, events("a", 1, 10), 10)
	for i := range first {
		if first[i] != again[i] {
			t.Errorf("seq %d: index %d then %d", i+1, first[i], again[i])
		}
	}
	// An overlapping batch: 5..10 exist, 11..15 are new.
	got := appendAll(t, c, events("a", 5, 15), 11)
	for i, index := range got {
		if want := uint64(4 + i); index != want {
			t.Errorf("seq %d: index %d, want %d", 5+i, index, want)
		}
	}
	head, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.TreeSize != 15 || head.LastSeq != 15 {
		t.Errorf("tree size %d last seq %d, want 15 15", head.TreeSize, head.LastSeq)
	}
}

// refused asserts that err is a refusal with status.
func refused(t *testing.T, err error, status int) *RefusedError {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) || re.Status != status {
		t.Fatalf("got %v, want refusal %d", err, status)
	}
	return re
}

func TestConflictingHashRefused(t *testing.T) {
	l := newTestLog(t, "logd.test/conflict")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	appendAll(t, c, events("a", 1, 5), 5)
	other := event("b", 3) // seq 3 with different data and hash
	_, err := c.Append(ctx, []Entry{other})
	if re := refused(t, err, http.StatusConflict); re.Seq != 3 {
		t.Errorf("conflict names seq %d, want 3", re.Seq)
	}
	// Same hash, different data: also a conflict.
	sneaky := event("a", 4)
	sneaky.Data = append(bytes.Clone(sneaky.Data), ' ')
	_, err = c.Append(ctx, []Entry{sneaky})
	refused(t, err, http.StatusConflict)
	// A batch whose new tail follows a conflicting head changes nothing.
	batch := append([]Entry{event("b", 5)}, events("a", 6, 8)...)
	_, err = c.Append(ctx, batch)
	refused(t, err, http.StatusConflict)
	head, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.TreeSize != 5 || head.LastSeq != 5 {
		t.Errorf("after conflicts tree size %d last seq %d, want 5 5", head.TreeSize, head.LastSeq)
	}
}

func TestGapRefused(t *testing.T) {
	l := newTestLog(t, "logd.test/gap")
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	ctx := testContext(t)
	_, err := c.Append(ctx, events("a", 2, 3))
	if re := refused(t, err, http.StatusUnprocessableEntity); re.Expected != 1 || re.Seq != 2 {
		t.Errorf("gap refusal seq %d expected %d, want 2 and 1", re.Seq, re.Expected)
	}
	appendAll(t, c, events("a", 1, 3), 3)
	_, err = c.Append(ctx, events("a", 5, 6))
	if re := refused(t, err, http.StatusUnprocessableEntity); re.Expected != 4 {
		t.Errorf("gap refusal expects %d, want 4", re.Expected)
	}
	// A batch that skips inside itself is malformed.
	_, err = c.Append(ctx, []Entry{event("a", 4), event("a", 6)})
	refused(t, err, http.StatusBadRequest)
	if head, err := c.Head(ctx); err != nil || head.TreeSize != 3 {
		t.Errorf("tree size %d (%v), want 3", head.TreeSize, err)
	}
}

func TestUnauthenticatedSendersRefused(t *testing.T) {
	l := newTestLog(t, "logd.test/auth")
	r := l.start(t)
	ctx := testContext(t)
	for name, token := range map[string]string{
		"no token":     "",
		"wrong token":  "logd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"not a token":  "hunter2",
		"token's hash": hashToken(l.token),
	} {
		t.Run(name, func(t *testing.T) {
			c := l.client(t, r.url, token)
			_, err := c.Append(ctx, events("a", 1, 1))
			refused(t, err, http.StatusUnauthorized)
			_, err = c.Head(ctx)
			refused(t, err, http.StatusUnauthorized)
		})
	}
	// Reading the log needs no token.
	if _, err := l.client(t, r.url, "").Checkpoint(ctx); err != nil {
		t.Errorf("anonymous checkpoint read: %v", err)
	}
	// Plain HTTP to the TLS port gets nowhere.
	plain, err := NewClient(strings.Replace(r.url, "https", "http", 1), l.vkey, l.token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Append(ctx, events("a", 1, 1)); err == nil {
		t.Error("append over plain HTTP succeeded")
	}
	// A sender added while the server runs is accepted without restart.
	token, err := AddSender(l.dir, "late")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.client(t, r.url, token).Append(ctx, events("late", 1, 2)); err != nil {
		t.Errorf("late sender: %v", err)
	}
	if head, err := l.client(t, r.url, l.token).Head(ctx); err != nil || head.TreeSize != 2 || head.LastSeq != 0 {
		t.Errorf("head = %+v, %v; want tree size 2 and nothing from app", head, err)
	}
}

// readLog returns every leaf's data from the files of a log of size leaves.
func readLog(t *testing.T, dir string, size uint64) [][]byte {
	t.Helper()
	ctx := testContext(t)
	read := func(_ context.Context, bundle uint64, p uint8) ([]byte, error) {
		return os.ReadFile(filepath.Join(LogPath(dir), layout.EntriesPath(bundle, p)))
	}
	var out [][]byte
	for i := range size {
		d, err := readLeafData(ctx, read, i, size)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestKilledMidBatchRecoversExactlyOnce(t *testing.T) {
	l := newTestLog(t, "logd.test/crash")
	all := events("a", 1, 700)
	url, proc := l.startProcess(t, 3) // dies inside the third batch
	c := l.client(t, url, l.token)
	ctx := testContext(t)
	var err error
	sent := 0
	for sent < len(all) {
		if _, err = c.Append(ctx, all[sent:sent+100]); err != nil {
			break
		}
		sent += 100
	}
	if err == nil || sent != 200 {
		t.Fatalf("log server should have died in the third batch; sent %d, err %v", sent, err)
	}
	_ = proc.Wait()
	if proc.ProcessState.ExitCode() != 9 {
		t.Fatalf("log server exited with %v, want the crash", proc.ProcessState)
	}

	url, _ = l.startProcess(t, 0)
	c = l.client(t, url, l.token)
	head, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Tessera had taken the third batch, so the journal recovered it.
	if head.LastSeq != 300 || head.TreeSize != 300 {
		t.Fatalf("after restart last seq %d tree size %d, want 300 300", head.LastSeq, head.TreeSize)
	}
	// The shipper resends from the start, at least once: nothing doubles.
	appendAll(t, c, all, 250)
	cp, err := c.WaitCheckpoint(ctx, 700)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Size != 700 {
		t.Fatalf("checkpoint size %d, want 700", cp.Size)
	}
	for i, d := range readLog(t, l.dir, 700) {
		if !bytes.Equal(d, all[i].Data) {
			t.Fatalf("leaf %d = %q, want seq %d", i, d, i+1)
		}
	}
	if _, err := Verify(ctx, l.dir); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestCrashBeforeTesseraLeavesNothing(t *testing.T) {
	l := newTestLog(t, "logd.test/intent")
	// A journal whose last batch got only as far as the intent.
	led, err := openLedger(journalPath(l.dir))
	if err != nil {
		t.Fatal(err)
	}
	e := event("a", 1)
	if err := led.intend("app", []journalEntry{{Seq: 1, Hash: hexString(e.Hash), Leaf: hexString(LeafHash(e.Data))}}); err != nil {
		t.Fatal(err)
	}
	// ... and a torn line after it.
	if _, err := led.f.WriteString(`{"op":"intent","sender":"app","entr`); err != nil {
		t.Fatal(err)
	}
	led.close()
	r := l.start(t)
	c := l.client(t, r.url, l.token)
	head, err := c.Head(testContext(t))
	if err != nil || head.LastSeq != 0 || head.TreeSize != 0 {
		t.Fatalf("head = %+v, %v; want empty", head, err)
	}
	appendAll(t, c, events("a", 1, 3), 3)
}

// The log server is killed with SIGKILL at a moment the test does not choose,
// while one batch after another arrives, then restarted; the sender re-sends
// everything from seq 1.
func TestKilledAnywhereRecoversExactlyOnce(t *testing.T) {
	l := newTestLog(t, "logd.test/sigkill")
	all := events("a", 1, 2000)
	url, proc := l.startProcess(t, 0)
	c := l.client(t, url, l.token)
	ctx := testContext(t)
	stopped := make(chan int)
	go func() {
		sent := 0
		for ; sent < len(all); sent += 100 {
			if _, err := c.Append(ctx, all[sent:sent+100]); err != nil {
				break
			}
		}
		stopped <- sent
	}()
	time.Sleep(150 * time.Millisecond)
	if err := proc.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = proc.Wait()
	sent := <-stopped
	t.Logf("killed after %d entries were acknowledged", sent)

	url, _ = l.startProcess(t, 0)
	c = l.client(t, url, l.token)
	head, err := c.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.LastSeq < uint64(sent) || head.TreeSize != head.LastSeq {
		t.Fatalf("after restart last seq %d tree size %d; %d were acknowledged", head.LastSeq, head.TreeSize, sent)
	}
	appendAll(t, c, all, 500)
	if _, err := c.WaitCheckpoint(ctx, 2000); err != nil {
		t.Fatal(err)
	}
	for i, d := range readLog(t, l.dir, 2000) {
		if !bytes.Equal(d, all[i].Data) {
			t.Fatalf("leaf %d = %q, want seq %d", i, d, i+1)
		}
	}
	if head, err := c.Head(ctx); err != nil || head.TreeSize != 2000 {
		t.Fatalf("tree size %d (%v), want 2000: an entry was added twice", head.TreeSize, err)
	}
	if _, err := Verify(ctx, l.dir); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestSecondServerOnSameDirectoryRefused(t *testing.T) {
	l := newTestLog(t, "logd.test/lock")
	l.start(t)
	_, err := Open(testContext(t), Config{Dir: l.dir})
	if err == nil || !strings.Contains(err.Error(), "in use by another log server") {
		t.Fatalf("second Open on the same directory: %v", err)
	}
}
