// Package mail sends the platform's own messages (activation links, password
// resets). The default sender writes each message to an outbox directory, so
// a fresh installation works without a mail server and an operator can see
// exactly what would have been sent.
package mail

import (
	"context"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Message is a plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Outbox writes each message as an RFC 5322 file DIR/<time>-<id>.eml.
type Outbox struct {
	Dir  string
	From string
}

// Send writes m to the outbox directory.
func (o Outbox) Send(_ context.Context, m Message) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("mail: header contains a line break")
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("mail: create outbox: %w", err)
	}
	from := o.From
	if from == "" {
		from = "Seura <no-reply@seura.invalid>"
	}
	now := time.Now().UTC()
	id := uuid.Must(uuid.NewV7()).String()
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@seura>\r\n",
		from, m.To, mime.QEncoding.Encode("utf-8", m.Subject), now.Format(time.RFC1123Z), id)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	name := filepath.Join(o.Dir, now.Format("20060102T150405.000000000")+"-"+id+".eml")
	if err := os.WriteFile(name, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("mail: write %s: %w", name, err)
	}
	return nil
}

// Memory keeps messages in memory, for tests.
type Memory struct {
	mu   sync.Mutex
	sent []Message
}

// Send records m.
func (s *Memory) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return nil
}

// Sent returns the messages so far.
func (s *Memory) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}
