package logd

import (
	"context"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera"
	"github.com/transparency-dev/tessera/api"
	"github.com/transparency-dev/tessera/api/layout"
	tclient "github.com/transparency-dev/tessera/client"
	"golang.org/x/mod/sumdb/note"
	"k8s.io/klog/v2"
)

// Limits of the sender API.
const (
	maxBatchEntries = 1000
	maxEntryBytes   = tessera.DefaultEntrySizeLimit
	maxBodyBytes    = 96 << 20
)

// Config configures a log server.
type Config struct {
	// Dir is the data directory made by Init.
	Dir string
	// CheckpointInterval is how often a new checkpoint is signed and
	// published when the tree has grown (default 1 s, minimum 100 ms).
	CheckpointInterval time.Duration
	// Logger receives refusals and failures (default slog.Default()).
	Logger *slog.Logger
}

// Server is a running log: a Tessera POSIX appender plus the sender journal.
type Server struct {
	dir      string
	log      *slog.Logger
	verifier note.Verifier
	appender *tessera.Appender
	reader   tessera.LogReader
	shutdown func(context.Context) error
	stop     func() // ends background work and releases the directory lock

	mu     sync.Mutex // serialises appends, so that leaf order is journal order
	ledger *ledger
	broken error // set when an append failed half way; appends stop until restart

	// afterAppend, when set (tests only), runs after Tessera has taken a batch
	// and before the journal records it: the worst moment for a crash.
	afterAppend func()
}

// RouteTesseraLogs sends Tessera's own log lines (klog) to logger. It sets
// process-wide state, so call it once, before Open.
func RouteTesseraLogs(logger *slog.Logger) { klog.SetSlogLogger(logger) }

// Open starts the log in cfg.Dir and reconciles the journal with it.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.CheckpointInterval == 0 {
		cfg.CheckpointInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	signer, err := LoadSigner(cfg.Dir)
	if err != nil {
		return nil, err
	}
	verifier, err := LoadVerifier(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if _, err := loadSenders(cfg.Dir); err != nil {
		return nil, err
	}
	unlock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := func() { cancel(); unlock() }
	driver, err := newDriver(runCtx, cfg.Dir)
	if err != nil {
		stop()
		return nil, fmt.Errorf("open POSIX log: %w", err)
	}
	// No antispam: deduplication is by sender sequence number (the journal),
	// and two events with equal encodings must still be two leaves.
	opts := tessera.NewAppendOptions().
		WithCheckpointSigner(signer).
		WithCheckpointInterval(cfg.CheckpointInterval).
		WithCheckpointRepublishInterval(max(10*time.Minute, cfg.CheckpointInterval)).
		WithBatching(256, 20*time.Millisecond)
	appender, shutdown, reader, err := tessera.NewAppender(runCtx, driver, opts)
	if err != nil {
		stop()
		return nil, fmt.Errorf("start appender: %w", err)
	}
	s := &Server{dir: cfg.Dir, log: cfg.Logger, verifier: verifier, appender: appender,
		reader: reader, shutdown: shutdown, stop: stop}
	if s.ledger, err = openLedger(journalPath(cfg.Dir)); err != nil {
		stop()
		return nil, err
	}
	size, err := reader.IntegratedSize(ctx)
	if err != nil {
		s.abandon()
		return nil, fmt.Errorf("read tree size: %w", err)
	}
	if err := s.ledger.reconcile(size, func(i uint64) (string, error) {
		data, err := readLeafData(ctx, reader.ReadEntryBundle, i, size)
		return hexString(rfc6962.DefaultHasher.HashLeaf(data)), err
	}); err != nil {
		s.abandon()
		return nil, fmt.Errorf("reconcile journal with log: %w", err)
	}
	return s, nil
}

func journalPath(dir string) string { return dir + "/" + journalFileName }

// abandon stops background work without waiting for it.
func (s *Server) abandon() {
	s.stop()
	s.ledger.close()
}

// Close waits for outstanding appends, publishes nothing more and releases
// the journal.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.shutdown(ctx)
	s.stop()
	if cerr := s.ledger.close(); err == nil {
		err = cerr
	}
	return err
}

// Verifier is the log's public key.
func (s *Server) Verifier() note.Verifier { return s.verifier }

// Handler serves the sender API (authenticated) and the read-only log
// (checkpoint, tiles, entry bundles, proofs) which anyone may read: an
// auditor needs no account to check the log.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/entries", s.handleAppend)
	mux.HandleFunc("GET /v1/head", s.handleHead)
	mux.HandleFunc("GET /v1/proof/inclusion", s.handleInclusion)
	mux.HandleFunc("GET /v1/proof/consistency", s.handleConsistency)
	files := http.FileServer(http.Dir(LogPath(s.dir)))
	mux.Handle("GET /checkpoint", cacheControl("no-cache", files))
	mux.Handle("GET /tile/", cacheControl("max-age=31536000, immutable", files))
	return mux
}

func cacheControl(value string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", value)
		h.ServeHTTP(w, r)
	})
}

// AppendRequest is the body of POST /v1/entries: a sender's next events in
// sequence order.
type AppendRequest struct {
	Entries []EntryIn `json:"entries"`
}

// EntryIn is one event: the sender's gapless sequence number (from 1), its
// chain hash (hex SHA-256) and the data to keep as the leaf (base64 in JSON).
type EntryIn struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
	Data []byte `json:"data"`
}

// AppendResponse gives the leaf index of every entry of the request, whether
// it was added now or already present.
type AppendResponse struct {
	Entries  []Appended `json:"entries"`
	TreeSize uint64     `json:"tree_size"`
}

// Appended is where an entry is in the log.
type Appended struct {
	Seq   uint64 `json:"seq"`
	Index uint64 `json:"index"`
}

// HeadResponse is the body of GET /v1/head.
type HeadResponse struct {
	Sender     string `json:"sender"`
	LastSeq    uint64 `json:"last_seq"`
	TreeSize   uint64 `json:"tree_size"`
	Checkpoint string `json:"checkpoint"`
}

// ErrorResponse is the body of every error.
type ErrorResponse struct {
	Error    string `json:"error"`
	Seq      uint64 `json:"seq,omitempty"`
	Expected uint64 `json:"expected,omitempty"`
}

// ProofResponse carries proof hashes, base64 in JSON.
type ProofResponse struct {
	Hashes [][]byte `json:"hashes"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) sender(w http.ResponseWriter, r *http.Request) (string, bool) {
	name, err := authenticate(s.dir, r.Header.Get("Authorization"))
	if err != nil {
		s.log.Warn("logd: sender refused", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
		if errors.Is(err, errUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="logd"`)
			writeJSON(w, http.StatusUnauthorized, ErrorResponse{Error: err.Error()})
		} else {
			writeJSON(w, http.StatusInternalServerError, ErrorResponse{Error: "sender list unreadable"})
		}
		return "", false
	}
	return name, true
}

func (s *Server) handleAppend(w http.ResponseWriter, r *http.Request) {
	name, ok := s.sender(w, r)
	if !ok {
		return
	}
	var req AppendRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, ErrorResponse{Error: "body: " + err.Error()})
		return
	}
	resp, status, errResp := s.append(r.Context(), name, req.Entries)
	if errResp != nil {
		writeJSON(w, status, errResp)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// validate checks the form of a batch before anything is decided.
func validate(entries []EntryIn) *ErrorResponse {
	if len(entries) == 0 {
		return &ErrorResponse{Error: "entries: must not be empty"}
	}
	if len(entries) > maxBatchEntries {
		return &ErrorResponse{Error: fmt.Sprintf("entries: at most %d per request", maxBatchEntries)}
	}
	for i, e := range entries {
		if e.Seq == 0 {
			return &ErrorResponse{Error: fmt.Sprintf("entries[%d].seq: must be at least 1", i)}
		}
		if i > 0 && e.Seq != entries[i-1].Seq+1 {
			return &ErrorResponse{Error: fmt.Sprintf("entries[%d].seq: %d does not follow %d", i, e.Seq, entries[i-1].Seq), Seq: e.Seq}
		}
		if h, err := hex.DecodeString(e.Hash); err != nil || len(h) != 32 || e.Hash != hex.EncodeToString(h) {
			return &ErrorResponse{Error: fmt.Sprintf("entries[%d].hash: must be 64 lower-case hex digits", i), Seq: e.Seq}
		}
		if len(e.Data) == 0 || len(e.Data) > maxEntryBytes {
			return &ErrorResponse{Error: fmt.Sprintf("entries[%d].data: must be 1 to %d bytes", i, maxEntryBytes), Seq: e.Seq}
		}
	}
	return nil
}

// append adds a sender's batch. Entries already accepted under the same
// sequence number and hash are answered with their index; a different hash
// for an accepted number, or a number beyond the next expected one, refuses
// the whole batch so that nothing is ever rewritten and no gap appears.
func (s *Server) append(ctx context.Context, sender string, entries []EntryIn) (*AppendResponse, int, *ErrorResponse) {
	if bad := validate(entries); bad != nil {
		return nil, http.StatusBadRequest, bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return nil, http.StatusServiceUnavailable, &ErrorResponse{Error: "log server must be restarted after a storage failure"}
	}
	have := s.ledger.senders[sender]
	resp := &AppendResponse{Entries: make([]Appended, 0, len(entries))}
	var fresh []journalEntry
	var data [][]byte
	for _, e := range entries {
		leaf := hexString(rfc6962.DefaultHasher.HashLeaf(e.Data))
		if e.Seq <= uint64(len(have)) {
			old := have[e.Seq-1]
			if old.hash != e.Hash || old.leaf != leaf {
				s.log.Error("logd: conflicting entry refused", "sender", sender, "seq", e.Seq,
					"kept_hash", old.hash, "offered_hash", e.Hash, "kept_leaf", old.leaf, "offered_leaf", leaf)
				return nil, http.StatusConflict, &ErrorResponse{
					Error: fmt.Sprintf("seq %d is already in the log with a different hash or data", e.Seq), Seq: e.Seq}
			}
			resp.Entries = append(resp.Entries, Appended{Seq: e.Seq, Index: old.index})
			continue
		}
		if want := uint64(len(have)+len(fresh)) + 1; e.Seq != want {
			s.log.Warn("logd: gap refused", "sender", sender, "seq", e.Seq, "expected", want)
			return nil, http.StatusUnprocessableEntity, &ErrorResponse{
				Error: fmt.Sprintf("seq %d would leave a gap: next expected is %d", e.Seq, want), Seq: e.Seq, Expected: want}
		}
		fresh = append(fresh, journalEntry{Seq: e.Seq, Hash: e.Hash, Leaf: leaf})
		data = append(data, e.Data)
	}
	if len(fresh) > 0 {
		added, err := s.addToLog(ctx, sender, fresh, data)
		if err != nil {
			s.broken = err
			s.log.Error("logd: append failed; appends stop until restart", "sender", sender, "err", err)
			return nil, http.StatusServiceUnavailable, &ErrorResponse{Error: "append failed"}
		}
		resp.Entries = append(resp.Entries, added...)
	}
	resp.TreeSize = s.ledger.next
	return resp, http.StatusOK, nil
}

// addToLog hands fresh entries to Tessera between a synced intent and a done
// record in the journal.
func (s *Server) addToLog(ctx context.Context, sender string, fresh []journalEntry, data [][]byte) ([]Appended, error) {
	if err := s.ledger.intend(sender, fresh); err != nil {
		return nil, err
	}
	// A client that goes away must not leave a batch half added.
	ctx = context.WithoutCancel(ctx)
	futures := make([]tessera.IndexFuture, len(data))
	for i, d := range data {
		futures[i] = s.appender.Add(ctx, tessera.NewEntry(d))
	}
	out := make([]Appended, len(fresh))
	for i, f := range futures {
		idx, err := f()
		if err != nil {
			return nil, fmt.Errorf("add seq %d: %w", fresh[i].Seq, err)
		}
		if want := s.ledger.next + uint64(i); idx.Index != want {
			return nil, fmt.Errorf("seq %d got leaf index %d, expected %d", fresh[i].Seq, idx.Index, want)
		}
		fresh[i].Index = idx.Index
		out[i] = Appended{Seq: fresh[i].Seq, Index: idx.Index}
	}
	if s.afterAppend != nil {
		s.afterAppend()
	}
	if err := s.ledger.done(sender, fresh); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) handleHead(w http.ResponseWriter, r *http.Request) {
	name, ok := s.sender(w, r)
	if !ok {
		return
	}
	cp, err := s.reader.ReadCheckpoint(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, ErrorResponse{Error: "no checkpoint yet"})
		return
	}
	s.mu.Lock()
	resp := HeadResponse{Sender: name, LastSeq: uint64(len(s.ledger.senders[name])), TreeSize: s.ledger.next, Checkpoint: string(cp)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// queryUint reads a non-negative integer parameter, naming it on error.
func queryUint(r *http.Request, name string) (uint64, error) {
	v, err := strconv.ParseUint(r.URL.Query().Get(name), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: must be a non-negative integer", name)
	}
	return v, nil
}

// proofBuilder builds proofs for a tree of size from the log's own tiles.
func (s *Server) proofBuilder(ctx context.Context, size uint64) (*tclient.ProofBuilder, error) {
	have, err := s.reader.IntegratedSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("read tree size: %w", err)
	}
	if size > have {
		return nil, fmt.Errorf("size: %d is beyond the tree size %d", size, have)
	}
	return tclient.NewProofBuilder(ctx, size, s.reader.ReadTile)
}

func (s *Server) handleInclusion(w http.ResponseWriter, r *http.Request) {
	index, err := queryUint(r, "index")
	if err == nil {
		var size uint64
		if size, err = queryUint(r, "size"); err == nil && index >= size {
			err = fmt.Errorf("index: %d is not below size %d", index, size)
		}
		if err == nil {
			var pb *tclient.ProofBuilder
			if pb, err = s.proofBuilder(r.Context(), size); err == nil {
				var hashes [][]byte
				if hashes, err = pb.InclusionProof(r.Context(), index); err == nil {
					writeJSON(w, http.StatusOK, ProofResponse{Hashes: hashes})
					return
				}
			}
		}
	}
	writeJSON(w, http.StatusBadRequest, ErrorResponse{Error: err.Error()})
}

func (s *Server) handleConsistency(w http.ResponseWriter, r *http.Request) {
	from, err := queryUint(r, "from")
	if err == nil {
		var to uint64
		if to, err = queryUint(r, "to"); err == nil && from > to {
			err = fmt.Errorf("from: %d is beyond to %d", from, to)
		}
		if err == nil {
			var pb *tclient.ProofBuilder
			if pb, err = s.proofBuilder(r.Context(), to); err == nil {
				var hashes [][]byte
				if hashes, err = pb.ConsistencyProof(r.Context(), from, to); err == nil {
					writeJSON(w, http.StatusOK, ProofResponse{Hashes: hashes})
					return
				}
			}
		}
	}
	writeJSON(w, http.StatusBadRequest, ErrorResponse{Error: err.Error()})
}

// readLeafData returns the data of leaf index in a log of size leaves.
func readLeafData(ctx context.Context, read func(context.Context, uint64, uint8) ([]byte, error), index, size uint64) ([]byte, error) {
	bundle := index / layout.EntryBundleWidth
	raw, err := read(ctx, bundle, layout.PartialTileSize(0, bundle, size))
	if err != nil {
		return nil, fmt.Errorf("read entry bundle %s: %w", layout.EntriesPath(bundle, layout.PartialTileSize(0, bundle, size)), err)
	}
	var eb api.EntryBundle
	if err := eb.UnmarshalText(raw); err != nil {
		return nil, fmt.Errorf("parse entry bundle %d: %w", bundle, err)
	}
	pos := index % layout.EntryBundleWidth
	if pos >= uint64(len(eb.Entries)) {
		return nil, fmt.Errorf("entry bundle %d has %d entries, leaf %d missing", bundle, len(eb.Entries), index)
	}
	return eb.Entries[pos], nil
}

// ServeTLS serves the log over HTTPS on ln until ctx ends, then shuts the
// HTTP side down gracefully and closes the log.
func (s *Server) ServeTLS(ctx context.Context, ln net.Listener, cert tls.Certificate) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-errs:
		s.Close(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	if cerr := s.Close(shutCtx); err == nil {
		err = cerr
	}
	return err
}
