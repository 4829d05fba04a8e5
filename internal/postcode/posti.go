package postcode

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// MaxFileSize bounds an imported postcode file. The post's full file is
// about 1.2 MB.
const MaxFileSize = 16 << 20

// pcfFields are the widths, in characters, of the post's fixed-width
// postcode file (PCF_yyyymmdd.dat, "postinumeroaineisto") after the record
// type "PONOT": run date, postcode, town in Finnish and in Swedish, their
// abbreviations, valid-from date, type, administrative area code and names,
// municipality code and names, language ratio.
var pcfFields = []int{8, 5, 30, 30, 12, 12, 8, 1, 5, 30, 30, 3, 20, 20, 1}

// Indexes into pcfFields of the fields kept.
const (
	pcfCode             = 1
	pcfTownFI           = 2
	pcfTownSV           = 3
	pcfMunicipalityCode = 11
	pcfMunicipality     = 12
)

// Parse reads a postcode file in either of the forms the post publishes or
// an operator is likely to have: the post's fixed-width PCF file (records
// starting "PONOT", in ISO 8859-1 or UTF-8), or a CSV/TSV of postcode,
// town in Finnish, town in Swedish, municipality code and municipality
// (tab, semicolon or comma separated; see ParseTSV). It returns every entry
// or, at the first bad line, an error naming it and no entries.
func Parse(r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read postcode file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("postcode file is larger than %d MB", MaxFileSize>>20)
	}
	if !utf8.Valid(data) {
		data = latin1ToUTF8(data)
	}
	first := firstLine(data)
	var entries []Entry
	switch {
	case strings.HasPrefix(first, "PONOT"):
		entries, err = parsePCF(bytes.NewReader(data))
	default:
		entries, err = parseDelimited(bytes.NewReader(data), separator(first))
	}
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("postcode file has no postcodes")
	}
	return entries, nil
}

// parsePCF reads the post's fixed-width file. Lines of other record types
// are skipped; a PONOT line too short for its fields is an error.
func parsePCF(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxLine)
	var out []Entry
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if !strings.HasPrefix(line, "PONOT") {
			continue
		}
		fields, ok := splitFixed([]rune(line[len("PONOT"):]), pcfFields)
		if !ok {
			return nil, fmt.Errorf("line %d: record is too short for the post's postcode file", n)
		}
		e := Entry{Code: fields[pcfCode], TownFI: fields[pcfTownFI], TownSV: fields[pcfTownSV],
			MunicipalityCode: fields[pcfMunicipalityCode], Municipality: fields[pcfMunicipality]}
		if err := e.check(); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if prev, dup := seen[e.Code]; dup {
			return nil, fmt.Errorf("line %d: postcode %s already on line %d", n, e.Code, prev)
		}
		seen[e.Code] = n
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read postcode file: %w", err)
	}
	return out, nil
}

// splitFixed cuts s into fields of the given widths, trimmed. The last
// fields may be missing (trailing blanks are often stripped), but every
// field up to the municipality name must be present.
func splitFixed(s []rune, widths []int) ([]string, bool) {
	out := make([]string, len(widths))
	pos := 0
	for i, w := range widths {
		if pos >= len(s) {
			if i <= pcfMunicipality {
				return nil, false
			}
			break
		}
		end := min(pos+w, len(s))
		out[i] = strings.TrimSpace(string(s[pos:end]))
		pos = end
	}
	return out, true
}

// latin1ToUTF8 decodes ISO 8859-1, in which the post has long published its
// file: each byte is the code point of the same number.
func latin1ToUTF8(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) + len(b)/8)
	for _, c := range b {
		buf.WriteRune(rune(c))
	}
	return buf.Bytes()
}

func firstLine(data []byte) string {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.TrimPrefix(string(line), "\ufeff")
}

// separator guesses the field separator of a delimited file from its first
// line: a tab, else a semicolon (Excel's CSV in Finnish locales), else a
// comma.
func separator(first string) byte {
	switch {
	case strings.Contains(first, "\t"):
		return '\t'
	case strings.Contains(first, ";"):
		return ';'
	}
	return ','
}

// ImportResult tells what an import changed.
type ImportResult struct {
	// Total is the number of postcodes in the file.
	Total int
	// Added are postcodes the table did not have; Changed had other names.
	Added, Changed int
}

// ImportPosti replaces the platform postcode table's rows with those of the
// post's file (or a CSV/TSV, see Parse), adding new postcodes and updating
// changed names. Postcodes missing from the file are kept: the post retires
// a postcode but old addresses still carry it. The import is one
// transaction with its audit event; a bad file changes nothing.
func ImportPosti(ctx context.Context, db *store.DB, rec *audit.Recorder, now time.Time, r io.Reader) (ImportResult, error) {
	entries, err := Parse(r)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = db.Write(ctx, func(tx *store.Tx) error {
		res, err = upsert(ctx, tx, entries, now, true)
		if err != nil {
			return err
		}
		return rec.Record(ctx, tx, audit.Event{
			Action: "postcodes.import", ObjectType: "postcodes",
			Details: map[string]any{"total": res.Total, "added": res.Added, "changed": res.Changed},
		})
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import postcodes: %w", err)
	}
	return res, nil
}

// PlanImport reads a postcode file as ImportPosti does and tells what
// importing it would change, writing nothing (a dry run).
func PlanImport(ctx context.Context, db *store.DB, r io.Reader) (ImportResult, error) {
	entries, err := Parse(r)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = db.Read(ctx, func(tx *store.Tx) error {
		res, err = upsert(ctx, tx, entries, time.Time{}, false)
		return err
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("plan postcode import: %w", err)
	}
	return res, nil
}

// upsert counts what entries change in the platform table and, when write
// is set, writes them.
func upsert(ctx context.Context, tx *store.Tx, entries []Entry, now time.Time, write bool) (ImportResult, error) {
	current := map[string]Entry{}
	rows, err := tx.Query(ctx, `SELECT postcode, town_fi, town_sv, municipality FROM postcodes`)
	if err != nil {
		return ImportResult{}, fmt.Errorf("read postcodes: %w", err)
	}
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Code, &e.TownFI, &e.TownSV, &e.Municipality); err != nil {
			rows.Close()
			return ImportResult{}, fmt.Errorf("read postcodes: %w", err)
		}
		current[e.Code] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ImportResult{}, fmt.Errorf("read postcodes: %w", err)
	}
	res := ImportResult{Total: len(entries)}
	now = now.UTC()
	for _, e := range entries {
		old, exists := current[e.Code]
		changed := exists && (old.TownFI != e.TownFI || old.TownSV != e.TownSV || old.Municipality != e.Municipality)
		switch {
		case !exists:
			res.Added++
		case changed:
			res.Changed++
		}
		switch {
		case !write:
		case !exists:
			_, err = tx.Exec(ctx, `INSERT INTO postcodes (postcode, town_fi, town_sv, municipality, updated_at)
				VALUES ($1, $2, $3, $4, $5)`, e.Code, e.TownFI, e.TownSV, e.Municipality, now)
		case changed:
			_, err = tx.Exec(ctx, `UPDATE postcodes SET town_fi = $2, town_sv = $3, municipality = $4, updated_at = $5
				WHERE postcode = $1`, e.Code, e.TownFI, e.TownSV, e.Municipality, now)
		}
		if err != nil {
			return ImportResult{}, fmt.Errorf("write postcode %s: %w", e.Code, err)
		}
	}
	return res, nil
}
