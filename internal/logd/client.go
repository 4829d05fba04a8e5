package logd

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	f_log "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Client talks to a log server: it appends a sender's events and checks
// everything the server says against the log's public key and RFC 6962
// proofs, so that it never has to trust the server.
type Client struct {
	base     *url.URL
	http     *http.Client
	token    string
	verifier note.Verifier
}

// NewClient returns a client for the log at baseURL (https://host:port/)
// whose public key is verifierKey (as printed by `seura logd init`). token is
// the sender's bearer token; it may be empty for a read-only client (an
// auditor). httpClient carries the TLS configuration; nil means
// http.DefaultClient.
func NewClient(baseURL, verifierKey, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/") + "/")
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("log server URL %q: must be https://host:port", baseURL)
	}
	v, err := ParseVerifier(verifierKey)
	if err != nil {
		return nil, err
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: u, http: httpClient, token: token, verifier: v}, nil
}

// Entry is one event to append.
type Entry struct {
	Seq  uint64 // the sender's gapless sequence number, from 1
	Hash []byte // the event's chain hash (32 bytes)
	Data []byte // the leaf data: the event's canonical encoding
}

// Checkpoint is a checkpoint whose signature has been verified.
type Checkpoint struct {
	Origin string
	Size   uint64
	Hash   []byte // root hash of the tree of Size leaves
	Raw    []byte // the signed note as served
}

// Head is what the log knows of this sender.
type Head struct {
	LastSeq    uint64 // the highest sequence number the log holds for the sender
	TreeSize   uint64 // leaves in the log, possibly beyond Checkpoint.Size
	Checkpoint Checkpoint
}

// RefusedError is a batch the log refused: Status 409 for a sequence number
// it already holds with a different hash, 422 for a gap (Expected is then the
// next sequence number it wants), 400 for a malformed batch, 401 for a bad
// token.
type RefusedError struct {
	Status   int
	Message  string
	Seq      uint64
	Expected uint64
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("log server refused (%d): %s", e.Status, e.Message)
}

// ErrVerification marks a checkpoint, proof or entry that failed to verify:
// the log server, or its files, cannot be trusted.
var ErrVerification = errors.New("log verification failed")

// LeafHash is the RFC 6962 leaf hash of data, as the log computes it.
func LeafHash(data []byte) []byte { return rfc6962.DefaultHasher.HashLeaf(data) }

// Append sends a batch of consecutive entries and returns their leaf
// indices. Sending entries again is harmless: the log answers with the
// indices they already have.
func (c *Client) Append(ctx context.Context, entries []Entry) ([]Appended, error) {
	req := AppendRequest{Entries: make([]EntryIn, len(entries))}
	for i, e := range entries {
		req.Entries[i] = EntryIn{Seq: e.Seq, Hash: hex.EncodeToString(e.Hash), Data: e.Data}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode batch: %w", err)
	}
	var resp AppendResponse
	if err := c.do(ctx, http.MethodPost, "v1/entries", body, &resp); err != nil {
		return nil, err
	}
	if len(resp.Entries) != len(entries) {
		return nil, fmt.Errorf("log server answered %d entries for %d sent", len(resp.Entries), len(entries))
	}
	for i, a := range resp.Entries {
		if a.Seq != entries[i].Seq {
			return nil, fmt.Errorf("log server answered seq %d for seq %d", a.Seq, entries[i].Seq)
		}
	}
	return resp.Entries, nil
}

// Head returns the last sequence number the log holds for this sender, with
// the latest checkpoint, verified.
func (c *Client) Head(ctx context.Context) (Head, error) {
	var resp HeadResponse
	if err := c.do(ctx, http.MethodGet, "v1/head", nil, &resp); err != nil {
		return Head{}, err
	}
	cp, err := c.VerifyCheckpoint([]byte(resp.Checkpoint))
	if err != nil {
		return Head{}, err
	}
	return Head{LastSeq: resp.LastSeq, TreeSize: resp.TreeSize, Checkpoint: cp}, nil
}

// Checkpoint fetches the latest published checkpoint and verifies its
// signature and origin.
func (c *Client) Checkpoint(ctx context.Context) (Checkpoint, error) {
	raw, err := c.get(ctx, "checkpoint")
	if err != nil {
		return Checkpoint{}, err
	}
	return c.VerifyCheckpoint(raw)
}

// VerifyCheckpoint checks a signed checkpoint against the log's key.
func (c *Client) VerifyCheckpoint(raw []byte) (Checkpoint, error) {
	return verifyCheckpoint(raw, c.verifier)
}

func verifyCheckpoint(raw []byte, v note.Verifier) (Checkpoint, error) {
	cp, _, _, err := f_log.ParseCheckpoint(raw, v.Name(), v)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint: %v", ErrVerification, err)
	}
	return Checkpoint{Origin: cp.Origin, Size: cp.Size, Hash: cp.Hash, Raw: raw}, nil
}

// WaitCheckpoint polls until a checkpoint covers at least size leaves.
// Checkpoints are signed every second or so, not for every append.
func (c *Client) WaitCheckpoint(ctx context.Context, size uint64) (Checkpoint, error) {
	for {
		cp, err := c.Checkpoint(ctx)
		if err != nil {
			return Checkpoint{}, err
		}
		if cp.Size >= size {
			return cp, nil
		}
		select {
		case <-ctx.Done():
			return Checkpoint{}, fmt.Errorf("wait for checkpoint of size %d (have %d): %w", size, cp.Size, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// InclusionProof fetches the proof that the leaf with leafHash is at index
// in the tree of the verified checkpoint cp, and verifies it. The root comes
// from cp, never from the server's answer.
func (c *Client) InclusionProof(ctx context.Context, index uint64, cp Checkpoint, leafHash []byte) ([][]byte, error) {
	var resp ProofResponse
	path := fmt.Sprintf("v1/proof/inclusion?index=%d&size=%d", index, cp.Size)
	if err := c.do(ctx, http.MethodGet, path, nil, &resp); err != nil {
		return nil, err
	}
	if err := VerifyInclusion(index, cp, leafHash, resp.Hashes); err != nil {
		return nil, err
	}
	return resp.Hashes, nil
}

// VerifyInclusion checks an inclusion proof against a verified checkpoint.
func VerifyInclusion(index uint64, cp Checkpoint, leafHash []byte, hashes [][]byte) error {
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, cp.Size, leafHash, hashes, cp.Hash); err != nil {
		return fmt.Errorf("%w: leaf %d not included in tree of size %d: %v", ErrVerification, index, cp.Size, err)
	}
	return nil
}

// ConsistencyProof fetches and verifies the proof that the tree of newer
// extends the tree of older without changing any of its leaves. A log that
// rewrote history fails here.
func (c *Client) ConsistencyProof(ctx context.Context, older, newer Checkpoint) ([][]byte, error) {
	if older.Size > newer.Size {
		return nil, fmt.Errorf("%w: checkpoint size went back from %d to %d", ErrVerification, older.Size, newer.Size)
	}
	var resp ProofResponse
	path := fmt.Sprintf("v1/proof/consistency?from=%d&to=%d", older.Size, newer.Size)
	if err := c.do(ctx, http.MethodGet, path, nil, &resp); err != nil {
		return nil, err
	}
	if err := VerifyConsistency(older, newer, resp.Hashes); err != nil {
		return nil, err
	}
	return resp.Hashes, nil
}

// VerifyConsistency checks a consistency proof between two verified
// checkpoints.
func VerifyConsistency(older, newer Checkpoint, hashes [][]byte) error {
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, older.Size, newer.Size, hashes, older.Hash, newer.Hash); err != nil {
		return fmt.Errorf("%w: tree of size %d is not an extension of tree of size %d: %v", ErrVerification, newer.Size, older.Size, err)
	}
	return nil
}

// Entry fetches the data of leaf index from the log's entry bundles and
// verifies that it is included in the tree of cp.
func (c *Client) Entry(ctx context.Context, index uint64, cp Checkpoint) ([]byte, error) {
	if index >= cp.Size {
		return nil, fmt.Errorf("index %d is not below checkpoint size %d", index, cp.Size)
	}
	data, err := readLeafData(ctx, func(ctx context.Context, bundle uint64, partial uint8) ([]byte, error) {
		b, err := c.get(ctx, entriesPath(bundle, partial))
		if err != nil && partial > 0 {
			// The log has grown past cp and completed the bundle.
			if full, ferr := c.get(ctx, entriesPath(bundle, 0)); ferr == nil {
				return full, nil
			}
		}
		return b, err
	}, index, cp.Size)
	if err != nil {
		return nil, err
	}
	if _, err := c.InclusionProof(ctx, index, cp, LeafHash(data)); err != nil {
		return nil, err
	}
	return data, nil
}

func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+path, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", path, resp.Status)
	}
	return b, nil
}

// do sends a JSON request to the sender API and decodes the answer.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxBodyBytes))
	if resp.StatusCode != http.StatusOK {
		var e ErrorResponse
		if err := dec.Decode(&e); err != nil || e.Error == "" {
			e.Error = resp.Status
		}
		return &RefusedError{Status: resp.StatusCode, Message: e.Error, Seq: e.Seq, Expected: e.Expected}
	}
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}
