package logd

import "github.com/transparency-dev/tessera/api/layout"

// entriesPath and tilePath are the tlog-tiles paths, relative to the log root.
func entriesPath(bundle uint64, partial uint8) string { return layout.EntriesPath(bundle, partial) }

func tilePath(level, index uint64, partial uint8) string {
	return layout.TilePath(level, index, partial)
}
