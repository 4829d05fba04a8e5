package logd

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Names of the files in a log server's data directory.
const (
	keyFileName     = "logd.key"
	pubFileName     = "logd.pub"
	sendersFileName = "senders.json"
	journalFileName = "journal"
	logDirName      = "log"
)

// LogPath is the directory of the Tessera log inside a data directory.
func LogPath(dir string) string { return filepath.Join(dir, logDirName) }

// Init creates a new data directory for a log named origin: a fresh Ed25519
// signing key and an empty sender list. It refuses to touch a directory that
// already holds a key, because a second key would silently start a different
// log. It returns the public verifier key in note format.
func Init(dir, origin string) (string, error) {
	origin = strings.TrimSpace(origin)
	if origin == "" {
		return "", errors.New("origin: must not be empty")
	}
	if strings.ContainsAny(origin, "+ \t\n") {
		return "", fmt.Errorf("origin %q: must not contain '+' or white space", origin)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, keyFileName)); err == nil {
		return "", fmt.Errorf("%s already holds a log key; refusing to replace it", dir)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", fmt.Errorf("generate signing key: %w", err)
	}
	if err := writeExclusive(filepath.Join(dir, keyFileName), []byte(skey+"\n"), 0o600); err != nil {
		return "", err
	}
	if err := writeExclusive(filepath.Join(dir, pubFileName), []byte(vkey+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := saveSenders(dir, nil); err != nil {
		return "", err
	}
	return vkey, nil
}

// writeExclusive creates path with data, failing if it exists.
func writeExclusive(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// LoadSigner reads the log's private key from dir.
func LoadSigner(dir string) (note.Signer, error) {
	b, err := os.ReadFile(filepath.Join(dir, keyFileName))
	if err != nil {
		return nil, fmt.Errorf("read log key (run `seura logd init` first): %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("parse log key %s: %w", keyFileName, err)
	}
	return s, nil
}

// LoadVerifier reads the log's public key from dir.
func LoadVerifier(dir string) (note.Verifier, error) {
	b, err := os.ReadFile(filepath.Join(dir, pubFileName))
	if err != nil {
		return nil, fmt.Errorf("read log public key: %w", err)
	}
	return ParseVerifier(string(b))
}

// ParseVerifier parses a verifier key as printed by `seura logd init`.
func ParseVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("parse log public key: %w", err)
	}
	return v, nil
}
