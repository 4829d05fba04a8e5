package logd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/tessera/api"
	"github.com/transparency-dev/tessera/api/layout"
)

// Problem is the first thing found wrong in a log's files, named precisely
// enough to go and look: the file (relative to the log directory) and, where
// it applies, the leaf index.
type Problem struct {
	File  string
	Leaf  int64 // -1 when the problem is not about one leaf
	What  string
	Cause error
}

func (p *Problem) Error() string {
	msg := p.File + ": "
	if p.Leaf >= 0 {
		msg += fmt.Sprintf("leaf %d: ", p.Leaf)
	}
	msg += p.What
	if p.Cause != nil {
		msg += ": " + p.Cause.Error()
	}
	return msg
}

func (p *Problem) Unwrap() error { return p.Cause }

// VerifyResult describes a log that verified.
type VerifyResult struct {
	Size    uint64
	Root    []byte
	Bundles int // entry bundle files read
	Tiles   int // tile files compared
}

// Verify checks the log in a data directory against its own checkpoint: the
// signature (with the key in logd.pub), every entry bundle up to the
// checkpoint's size, every tile recomputed from the entries, and the root.
// It returns a *Problem for the first divergence. Leaves appended after the
// checkpoint are not checked: they are not committed to yet.
func Verify(ctx context.Context, dir string) (VerifyResult, error) {
	verifier, err := LoadVerifier(dir)
	if err != nil {
		return VerifyResult{}, err
	}
	root := LogPath(dir)
	raw, err := os.ReadFile(filepath.Join(root, layout.CheckpointPath))
	if err != nil {
		return VerifyResult{}, &Problem{File: layout.CheckpointPath, Leaf: -1, What: "unreadable (has the log been served yet?)", Cause: err}
	}
	cp, err := verifyCheckpoint(raw, verifier)
	if err != nil {
		return VerifyResult{}, &Problem{File: layout.CheckpointPath, Leaf: -1, What: "signature or format invalid", Cause: err}
	}
	v := &verifier_{root: root, size: cp.Size, pending: map[uint64][]byte{}}
	v.tree = (&compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}).NewEmptyRange(0)
	if err := v.walkEntries(ctx); err != nil {
		return VerifyResult{}, err
	}
	v.flushPartialTiles()
	got := rfc6962.DefaultHasher.EmptyRoot()
	if cp.Size > 0 {
		if got, err = v.tree.GetRootHash(nil); err != nil {
			return VerifyResult{}, fmt.Errorf("compute root: %w", err)
		}
	}
	rootOK := bytes.Equal(got, cp.Hash)
	switch {
	case v.tileProblem != nil && rootOK:
		// The entries give the signed root, so the tile is what changed.
		v.tileProblem.What += " (the entries give the signed root: the tile file was changed)"
		return VerifyResult{}, v.tileProblem
	case v.tileProblem != nil && v.leafProblem != nil:
		// The entries do not give the signed root and a leaf disagrees with
		// its tile: the entry is what changed.
		return VerifyResult{}, v.leafProblem
	case v.tileProblem != nil:
		return VerifyResult{}, v.tileProblem
	case !rootOK:
		return VerifyResult{}, &Problem{File: layout.CheckpointPath, Leaf: -1, What: fmt.Sprintf(
			"entries and tiles agree but give root %x, the checkpoint signs %x for size %d", got, cp.Hash, cp.Size)}
	}
	return VerifyResult{Size: cp.Size, Root: got, Bundles: v.bundles, Tiles: v.tiles}, nil
}

// verifier_ holds the walk over a log's files.
type verifier_ struct {
	root    string
	size    uint64
	tree    *compact.Range
	bundles int
	tiles   int
	// pending holds, per tile level, the node hashes of the tile being
	// filled (nodes at tree level 8*tile level).
	pending     map[uint64][]byte
	tileProblem *Problem
	leafProblem *Problem
	entryFile   string // the entry bundle being walked
}

// readPrefix reads the file for a resource of width entries (0 = full). The
// log may have grown since the checkpoint was signed, completed the resource
// and had Tessera remove its partial files; the full file then holds the same
// first entries.
func (v *verifier_) readPrefix(path func(p uint8) string, partial uint8) (string, []byte, error) {
	name := path(partial)
	b, err := os.ReadFile(filepath.Join(v.root, name))
	if errors.Is(err, os.ErrNotExist) && partial > 0 {
		if full, ferr := os.ReadFile(filepath.Join(v.root, path(0))); ferr == nil {
			return path(0), full, nil
		}
	}
	return name, b, err
}

func (v *verifier_) walkEntries(ctx context.Context) error {
	for bundle := uint64(0); bundle*layout.EntryBundleWidth < v.size; bundle++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		partial := layout.PartialTileSize(0, bundle, v.size)
		want := int(partial)
		if want == 0 {
			want = layout.EntryBundleWidth
		}
		first := bundle * layout.EntryBundleWidth
		name, raw, err := v.readPrefix(func(p uint8) string { return entriesPath(bundle, p) }, partial)
		if err != nil {
			return &Problem{File: name, Leaf: int64(first), What: "entry bundle missing or unreadable", Cause: err}
		}
		var eb api.EntryBundle
		if err := eb.UnmarshalText(raw); err != nil {
			return &Problem{File: name, Leaf: int64(first), What: "entry bundle unparseable", Cause: err}
		}
		if len(eb.Entries) < want {
			return &Problem{File: name, Leaf: int64(first) + int64(len(eb.Entries)),
				What: fmt.Sprintf("entry bundle has %d entries, expected %d", len(eb.Entries), want)}
		}
		v.bundles++
		v.entryFile = name
		for i, data := range eb.Entries[:want] {
			leaf := rfc6962.DefaultHasher.HashLeaf(data)
			index := first + uint64(i)
			if err := v.tree.Append(leaf, v.visit); err != nil {
				return fmt.Errorf("append leaf %d: %w", index, err)
			}
		}
	}
	return nil
}

// visit collects the nodes that tiles store and checks each tile when full.
func (v *verifier_) visit(id compact.NodeID, hash []byte) {
	if id.Level%layout.TileHeight != 0 {
		return
	}
	level := uint64(id.Level) / layout.TileHeight
	v.pending[level] = append(v.pending[level], hash...)
	if len(v.pending[level]) == layout.TileWidth*32 {
		v.checkTile(level, id.Index/layout.TileWidth, 0, v.pending[level])
		v.pending[level] = nil
	}
}

// flushPartialTiles checks the tiles at the right edge of the tree.
func (v *verifier_) flushPartialTiles() {
	for level := uint64(0); v.size>>(level*layout.TileHeight) > 0; level++ {
		nodes := v.size >> (level * layout.TileHeight)
		partial := layout.PartialTileSize(level, nodes/layout.TileWidth, v.size)
		if partial == 0 {
			continue
		}
		v.checkTile(level, nodes/layout.TileWidth, partial, v.pending[level])
	}
}

// checkTile compares a tile file with the node hashes computed from the
// entries, keeping the first mismatch.
func (v *verifier_) checkTile(level, index uint64, partial uint8, want []byte) {
	if v.tileProblem != nil {
		return
	}
	v.tiles++
	name, raw, err := v.readPrefix(func(p uint8) string { return tilePath(level, index, p) }, partial)
	if err != nil {
		v.tileProblem = &Problem{File: name, Leaf: -1, What: "tile missing or unreadable", Cause: err}
		return
	}
	if len(raw)%32 != 0 || len(raw) < len(want) {
		v.tileProblem = &Problem{File: name, Leaf: -1, What: fmt.Sprintf("tile has %d bytes, expected %d", len(raw), len(want))}
		return
	}
	for pos := 0; pos*32 < len(want); pos++ {
		got, exp := raw[pos*32:pos*32+32], want[pos*32:pos*32+32]
		if bytes.Equal(got, exp) {
			continue
		}
		node := index*layout.TileWidth + uint64(pos)
		if level == 0 {
			v.tileProblem = &Problem{File: name, Leaf: int64(node), What: fmt.Sprintf(
				"tile holds leaf hash %x but the entry gives %x", got, exp)}
			v.leafProblem = &Problem{File: v.entryFile, Leaf: int64(node), What: fmt.Sprintf(
				"entry data changed: its leaf hash %x is neither in tile %s (%x) nor in the signed root", exp, name, got)}
			return
		}
		first := node << (level * layout.TileHeight)
		v.tileProblem = &Problem{File: name, Leaf: int64(first), What: fmt.Sprintf(
			"node %d at tree level %d (covering leaves from %d) is %x in the tile but %x from the entries",
			node, level*layout.TileHeight, first, got, exp)}
		return
	}
}
