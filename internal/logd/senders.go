package logd

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"seura.fi/seura/internal/atomicfile"
)

// A sender is an application instance allowed to append to the log. Only the
// SHA-256 of its bearer token is kept, so a copy of the data directory does
// not let anyone append in its name.
type sender struct {
	Name        string    `json:"name"`
	TokenSHA256 string    `json:"token_sha256"`
	Created     time.Time `json:"created"`
}

var senderNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// tokenPrefix marks logd tokens so that they are recognisable in a secret scan.
const tokenPrefix = "logd_"

// AddSender registers a new sender and returns its bearer token, which is
// shown only once. A running server picks the sender up on its next request.
func AddSender(dir, name string) (string, error) {
	if !senderNamePattern.MatchString(name) {
		return "", fmt.Errorf("sender name %q: use 1-64 lower-case letters, digits, '.', '_' or '-'", name)
	}
	senders, err := loadSenders(dir)
	if err != nil {
		return "", err
	}
	for _, s := range senders {
		if s.Name == name {
			return "", fmt.Errorf("sender %q already exists", name)
		}
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	senders = append(senders, sender{Name: name, TokenSHA256: hashToken(token), Created: time.Now().UTC()})
	if err := saveSenders(dir, senders); err != nil {
		return "", err
	}
	return token, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func loadSenders(dir string) ([]sender, error) {
	b, err := os.ReadFile(filepath.Join(dir, sendersFileName))
	if err != nil {
		return nil, fmt.Errorf("read senders: %w", err)
	}
	var senders []sender
	if err := json.Unmarshal(b, &senders); err != nil {
		return nil, fmt.Errorf("parse %s: %w", sendersFileName, err)
	}
	return senders, nil
}

// saveSenders replaces the sender list atomically (write, sync, rename).
func saveSenders(dir string, senders []sender) error {
	if senders == nil {
		senders = []sender{}
	}
	sort.Slice(senders, func(i, j int) bool { return senders[i].Name < senders[j].Name })
	b, err := json.MarshalIndent(senders, "", "  ")
	if err != nil {
		return fmt.Errorf("encode senders: %w", err)
	}
	path := filepath.Join(dir, sendersFileName)
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write senders: %w", err)
	}
	return nil
}

// errUnauthenticated is returned for a missing, malformed or unknown token.
var errUnauthenticated = errors.New("unknown or missing sender token")

// authenticate maps an Authorization header to a sender name. The sender
// list is read on every call so that `seura logd sender add` takes effect
// without a restart.
func authenticate(dir, header string) (string, error) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || !strings.HasPrefix(token, tokenPrefix) {
		return "", errUnauthenticated
	}
	senders, err := loadSenders(dir)
	if err != nil {
		return "", err
	}
	want := []byte(hashToken(token))
	for _, s := range senders {
		if subtle.ConstantTimeCompare([]byte(s.TokenSHA256), want) == 1 {
			return s.Name, nil
		}
	}
	return "", errUnauthenticated
}
