package logd

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// The journal records which sender sequence number went to which leaf index.
// Leaf data are the application's opaque event encodings, so the log itself
// cannot say which sequence a leaf carries; the journal can. Every batch is
// written as an "intent" (synced to disk) before it is handed to Tessera and
// as "done" with the leaf indices afterwards. If the server dies between the
// two, the next start compares the leaves the log holds beyond the last
// "done" with the pending intent, so that each entry ends up in the log
// exactly once whatever the moment of the crash.
type journalRecord struct {
	Op      string         `json:"op"` // "intent" or "done"
	Sender  string         `json:"sender"`
	Entries []journalEntry `json:"entries"`
}

type journalEntry struct {
	Seq   uint64 `json:"seq"`
	Hash  string `json:"hash"` // the sender's chain hash, hex
	Leaf  string `json:"leaf"` // RFC 6962 leaf hash of the data, hex
	Index uint64 `json:"index,omitempty"`
}

// accepted is one entry of a sender, kept in memory at position seq-1.
type accepted struct {
	index uint64
	hash  string
	leaf  string
}

// ledger is the journal file and the state replayed from it.
type ledger struct {
	f       *os.File
	senders map[string][]accepted
	next    uint64         // leaf index after the highest one accounted for
	pending *journalRecord // intent without its done, if any
}

// openLedger replays the journal at path. A torn last line (the server died
// while writing it) is cut off: an intent that never reached the disk was
// never handed to Tessera either.
func openLedger(path string) (*ledger, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	l := &ledger{f: f, senders: map[string][]accepted{}}
	good, err := l.replay(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, fmt.Errorf("cut torn journal tail: %w", err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("seek journal: %w", err)
	}
	return l, nil
}

// replay applies every complete record and returns the offset after the
// last one.
func (l *ledger) replay(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var offset int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return offset, nil // a line without its newline is torn
		}
		if err != nil {
			return 0, fmt.Errorf("read journal: %w", err)
		}
		var rec journalRecord
		if err := json.Unmarshal(bytes.TrimSpace(b), &rec); err != nil {
			if _, peekErr := br.Peek(1); errors.Is(peekErr, io.EOF) {
				return offset, nil
			}
			return 0, fmt.Errorf("journal line %d: %w", line, err)
		}
		switch rec.Op {
		case "intent":
			l.pending = &rec
		case "done":
			if err := l.apply(rec); err != nil {
				return 0, fmt.Errorf("journal line %d: %w", line, err)
			}
			l.pending = nil
		default:
			return 0, fmt.Errorf("journal line %d: unknown op %q", line, rec.Op)
		}
		offset += int64(len(b))
	}
}

// apply adds a done record to the in-memory state.
func (l *ledger) apply(rec journalRecord) error {
	list := l.senders[rec.Sender]
	for _, e := range rec.Entries {
		if e.Seq != uint64(len(list))+1 {
			return fmt.Errorf("sender %q: seq %d recorded after %d", rec.Sender, e.Seq, len(list))
		}
		if e.Index != l.next {
			return fmt.Errorf("sender %q seq %d: leaf index %d recorded, expected %d", rec.Sender, e.Seq, e.Index, l.next)
		}
		list = append(list, accepted{index: e.Index, hash: e.Hash, leaf: e.Leaf})
		l.next++
	}
	l.senders[rec.Sender] = list
	return nil
}

func (l *ledger) write(rec journalRecord, sync bool) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode journal record: %w", err)
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if sync {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("sync journal: %w", err)
		}
	}
	return nil
}

// intend records, durably, that entries are about to be handed to Tessera.
func (l *ledger) intend(sender string, entries []journalEntry) error {
	rec := journalRecord{Op: "intent", Sender: sender, Entries: entries}
	if err := l.write(rec, true); err != nil {
		return err
	}
	l.pending = &rec
	return nil
}

// done records the leaf indices of entries and makes them visible. It need
// not be synced: if it is lost, the next start recovers it from the log.
func (l *ledger) done(sender string, entries []journalEntry) error {
	rec := journalRecord{Op: "done", Sender: sender, Entries: entries}
	if err := l.apply(rec); err != nil {
		return err
	}
	l.pending = nil
	return l.write(rec, false)
}

// reconcile brings the journal in line with a log of size leaves, where
// leafAt returns the leaf hash (hex) at an index. Leaves beyond the journal
// must be a prefix of the pending intent, in order; anything else means the
// log was changed behind the server's back and it refuses to go on.
func (l *ledger) reconcile(size uint64, leafAt func(index uint64) (string, error)) error {
	switch {
	case size < l.next:
		return fmt.Errorf("log holds %d leaves but the journal records leaf index %d: log files were lost or replaced", size, l.next-1)
	case size == l.next:
		l.pending = nil // the pending batch never reached the log; its sender sends it again
		return nil
	case l.pending == nil:
		return fmt.Errorf("log holds leaves %d..%d that the journal does not account for", l.next, size-1)
	case size-l.next > uint64(len(l.pending.Entries)):
		return fmt.Errorf("log holds %d leaves beyond the journal but the pending batch has only %d", size-l.next, len(l.pending.Entries))
	}
	n := size - l.next
	recovered := make([]journalEntry, 0, n)
	for i := range n {
		e := l.pending.Entries[i]
		leaf, err := leafAt(l.next + i)
		if err != nil {
			return fmt.Errorf("read leaf %d: %w", l.next+i, err)
		}
		if leaf != e.Leaf {
			return fmt.Errorf("leaf %d is %s but the pending batch has seq %d with leaf %s", l.next+i, leaf, e.Seq, e.Leaf)
		}
		e.Index = l.next + i
		recovered = append(recovered, e)
	}
	return l.done(l.pending.Sender, recovered)
}

func (l *ledger) close() error { return l.f.Close() }

func hexString(b []byte) string { return hex.EncodeToString(b) }
