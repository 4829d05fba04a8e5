// Package keys holds the installation's master secret and derives one key
// per purpose from it (CSRF tokens, audit HMACs, TOTP secret encryption), so
// a key leaked for one purpose does not open the others.
package keys

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Ring is the master secret and what is derived from it.
type Ring struct {
	master []byte
}

// FileName is the master key's file in the data directory.
const FileName = "secret.key"

// Load reads DIR/secret.key, creating it (mode 0600) on first start. The
// environment variable SEURA_SECRET_KEY (64 hex digits) takes its place where
// the data directory is not the place for secrets.
func Load(dataDir string) (*Ring, error) {
	if env := os.Getenv("SEURA_SECRET_KEY"); env != "" {
		return parse(env, "SEURA_SECRET_KEY")
	}
	path := filepath.Join(dataDir, FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		if _, err := f.WriteString(hex.EncodeToString(master) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return &Ring{master: master}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return parse(string(b), path)
}

func parse(s, source string) (*Ring, error) {
	master, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("%s: want 64 hex digits (32 bytes)", source)
	}
	return &Ring{master: master}, nil
}

// New makes a ring from a given master secret, for tests.
func New(master []byte) *Ring { return &Ring{master: append([]byte(nil), master...)} }

// Derive returns the 32-byte key for one purpose.
func (r *Ring) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, r.master)
	m.Write([]byte("seura/" + purpose))
	return m.Sum(nil)
}
