package member_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// TestSearchTextIsBounded: every word adds a condition, so a search of
// thousands of words is refused instead of tying up the database.
func TestSearchTextIsBounded(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	a := env.Association(t, "A ry", 3)
	ctx := context.Background()
	for text, ok := range map[string]bool{
		strings.Repeat("a ", member.MaxTextWords):   true,
		strings.Repeat("a ", member.MaxTextWords+1): false,
		strings.Repeat("x", member.MaxTextBytes+1):  false,
	} {
		err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			_, err := member.Search(ctx, tx, member.Query{Text: text})
			return err
		})
		if ok && err != nil {
			t.Errorf("search of %d bytes refused: %v", len(text), err)
		}
		if !ok && !errors.Is(err, member.ErrBadQuery) {
			t.Errorf("search of %d bytes, %d words: err %v, want ErrBadQuery", len(text), len(strings.Fields(text)), err)
		}
	}
}
