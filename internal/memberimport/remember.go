package memberimport

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// An association imports the same spreadsheet year after year, so the
// mapping chosen at a commit is remembered (table import_mappings) under the
// file's header signature, and again as the association's latest mapping.
// The next file with the same headings gets the same mapping; a file whose
// headings match only in part gets the latest mapping's choices for the
// headings it shares, and Suggest's for the rest.

// lastUsedSignature is the header signature of the latest mapping's row. No
// real signature can equal it: signatures hold only [a-z0-9|:].
const lastUsedSignature = "*"

// Source says where a mapping came from, so the wizard can tell the user.
type Source string

// Sources of a mapping.
const (
	Suggested  Source = "suggested"  // recognised from the headings by Suggest
	Remembered Source = "remembered" // the mapping of an earlier import of a file with the same headings
	Partial    Source = "partial"    // the latest import's choices for the headings it shares, Suggest's for the rest
	Chosen     Source = "chosen"     // given by the user
)

// maxSignature is the longest signature stored as it is; a longer one is
// stored as its SHA-256, since PostgreSQL cannot index keys of kilobytes.
const maxSignature = 512

// HeaderSignature identifies a file's layout: its headings, folded as
// Suggest folds them, joined with "|". Case, spacing and diacritics do not
// change it; the order of the columns does.
func HeaderSignature(header []string) string {
	folded := make([]string, len(header))
	for i, h := range header {
		folded[i] = fold(h)
	}
	sig := strings.Join(folded, "|")
	if len(sig) > maxSignature {
		sum := sha256.Sum256([]byte(sig))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return sig
}

// storedColumn is one column of a remembered mapping.
type storedColumn struct {
	Heading string `json:"heading"`
	Field   Field  `json:"field"`
}

// Recall proposes the mapping for a file with this header: the one
// remembered for the same headings, else the latest import's choices for
// the headings shared with it completed by Suggest, else Suggest's. A
// remembered mapping that no longer checks (a field since removed) is
// passed over, never an error.
func Recall(ctx context.Context, tx *store.TenantTx, header []string) (Mapping, Source, error) {
	fields, err := member.CustomFields(ctx, tx)
	if err != nil {
		return nil, "", err
	}
	exact, err := loadMapping(ctx, tx, HeaderSignature(header))
	if err != nil {
		return nil, "", err
	}
	if len(exact) == len(header) {
		m := make(Mapping, len(header))
		for i, c := range exact {
			m[i] = c.Field
		}
		if m.Check(header) == nil && m.CheckCustom(header, fields) == nil {
			return m, Remembered, nil
		}
	}
	suggested := SuggestFor(header, fields)
	last, err := loadMapping(ctx, tx, lastUsedSignature)
	if err != nil {
		return nil, "", err
	}
	if m, ok := mergeLast(header, last, suggested, fields); ok {
		return m, Partial, nil
	}
	return suggested, Suggested, nil
}

// mergeLast applies the latest mapping's choices to the columns whose
// headings it knows (an ignored column stays ignored) and Suggest's to the
// others, as long as Suggest's choice is not taken; ok is false when no
// heading is shared.
func mergeLast(header []string, last []storedColumn, suggested Mapping, fields []member.CustomField) (Mapping, bool) {
	byHeading := map[string]Field{}
	for _, c := range last {
		if id, custom := c.Field.CustomID(); custom && customIndex(fields, id) < 0 {
			continue // a custom field since deleted
		}
		if c.Field == Ignore || known(c.Field) {
			byHeading[fold(c.Heading)] = c.Field
		}
	}
	m := make(Mapping, len(header))
	shared := make([]bool, len(header))
	taken := map[Field]bool{}
	for i, h := range header {
		if f, ok := byHeading[fold(h)]; ok {
			shared[i] = true
			if f != Ignore && !taken[f] {
				m[i] = f
				taken[f] = true
			}
		}
	}
	if !contains(shared, true) {
		return nil, false
	}
	for i, f := range suggested {
		if !shared[i] && f != Ignore && !taken[f] {
			m[i] = f
			taken[f] = true
		}
	}
	return m, true
}

func contains(bs []bool, v bool) bool {
	for _, b := range bs {
		if b == v {
			return true
		}
	}
	return false
}

// loadMapping reads the mapping remembered under signature; nil when there
// is none or it cannot be read (a remembered mapping is a convenience, and
// a damaged one must not block an import).
func loadMapping(ctx context.Context, tx *store.TenantTx, signature string) ([]storedColumn, error) {
	var raw string
	err := tx.QueryRow(ctx, `SELECT mapping FROM import_mappings WHERE association_id = $1 AND header_signature = $2`,
		signature).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read remembered import mapping: %w", err)
	}
	var cols []storedColumn
	if json.Unmarshal([]byte(raw), &cols) != nil {
		return nil, nil
	}
	return cols, nil
}

// remember stores m as the mapping for files with this header and as the
// association's latest mapping. Commit calls it in the import's own
// transaction, so the mapping is kept exactly when the import is.
func remember(ctx context.Context, tx *store.TenantTx, header []string, m Mapping, now time.Time) error {
	cols := make([]storedColumn, len(header))
	for i, h := range header {
		cols[i] = storedColumn{Heading: h, Field: m[i]}
	}
	raw, err := json.Marshal(cols)
	if err != nil {
		return fmt.Errorf("encode import mapping: %w", err)
	}
	for _, sig := range []string{HeaderSignature(header), lastUsedSignature} {
		if _, err := tx.Exec(ctx, `INSERT INTO import_mappings (association_id, header_signature, mapping, updated_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (association_id, header_signature) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at`,
			sig, string(raw), now.UTC()); err != nil {
			return fmt.Errorf("remember import mapping: %w", err)
		}
	}
	return nil
}

// auditMapping is the mapping as the import's audit event records it:
// heading → field for the imported columns. Headings are not personal data.
func auditMapping(header []string, m Mapping) map[string]string {
	out := map[string]string{}
	for i, f := range m {
		if f != Ignore {
			out[header[i]] = string(f)
		}
	}
	return out
}
