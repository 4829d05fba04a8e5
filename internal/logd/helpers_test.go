package logd

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestMain doubles as the log server process for the crash tests: with
// LOGD_HELPER_DIR set, the test binary serves that log instead of testing.
func TestMain(m *testing.M) {
	RouteTesseraLogs(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if dir := os.Getenv("LOGD_HELPER_DIR"); dir != "" {
		os.Exit(helperServe(dir))
	}
	os.Exit(m.Run())
}

// helperServe serves dir on a random port, prints the address, and dies
// abruptly (like kill -9) after LOGD_HELPER_CRASH_AFTER batches when set.
func helperServe(dir string) int {
	ctx := context.Background()
	srv, err := Open(ctx, Config{Dir: dir, CheckpointInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	if n, _ := strconv.Atoi(os.Getenv("LOGD_HELPER_CRASH_AFTER")); n > 0 {
		var batches atomic.Int32
		srv.afterAppend = func() {
			if int(batches.Add(1)) == n {
				os.Exit(9) // no journal "done", no deferred clean-up
			}
		}
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "test.crt"), filepath.Join(dir, "test.key"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cert:", err)
		return 2
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 2
	}
	fmt.Printf("listening %s\n", ln.Addr())
	if err := srv.ServeTLS(ctx, ln, cert); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 2
	}
	return 0
}

// testCert is a self-signed certificate for 127.0.0.1 and a client that
// trusts only it.
type testCert struct {
	cert    tls.Certificate
	certPEM []byte
	keyPEM  []byte
	client  *http.Client
}

func newTestCert(t testing.TB) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "logd test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 4}}
	return testCert{cert: cert, certPEM: certPEM, keyPEM: keyPEM, client: client}
}

// testLog is a data directory with one sender.
type testLog struct {
	dir   string
	vkey  string
	token string
	tc    testCert
}

func newTestLog(t testing.TB, origin string) *testLog {
	t.Helper()
	dir := t.TempDir()
	vkey, err := Init(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	token, err := AddSender(dir, "app")
	if err != nil {
		t.Fatal(err)
	}
	return &testLog{dir: dir, vkey: vkey, token: token, tc: newTestCert(t)}
}

// running is a log server started by a test on 127.0.0.1.
type running struct {
	url    string
	srv    *Server
	cancel context.CancelFunc
	done   chan error
}

// start opens the log in-process and serves it over HTTPS; the server is
// stopped when the test ends (or earlier with stop).
func (l *testLog) start(t testing.TB) *running {
	t.Helper()
	srv, err := Open(context.Background(), Config{Dir: l.dir, CheckpointInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{url: "https://" + ln.Addr().String(), srv: srv, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- srv.ServeTLS(ctx, ln, l.tc.cert) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t testing.TB) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		t.Errorf("server: %v", err)
	}
}

// startProcess runs the log in a separate process (this test binary), so
// that it can die abruptly. crashAfter > 0 makes it exit in the middle of
// that batch: after Tessera has taken it, before the journal records it.
func (l *testLog) startProcess(t *testing.T, crashAfter int) (string, *exec.Cmd) {
	t.Helper()
	for name, body := range map[string][]byte{"test.crt": l.tc.certPEM, "test.key": l.tc.keyPEM} {
		if err := os.WriteFile(filepath.Join(l.dir, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOGD_HELPER_DIR="+l.dir, fmt.Sprintf("LOGD_HELPER_CRASH_AFTER=%d", crashAfter))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("log server process did not start: %v", err)
	}
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok {
		t.Fatalf("log server process said %q", line)
	}
	return "https://" + addr, cmd
}

func (l *testLog) client(t testing.TB, url, token string) *Client {
	t.Helper()
	c, err := NewClient(url, l.vkey, token, l.tc.client)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// event is the test's stand-in for an audit event: data and chain hash
// derived from the sequence number and a label.
func event(label string, seq uint64) Entry {
	data := []byte(fmt.Sprintf(`{"seq":%d,"action":"member.update","label":%q}`, seq, label))
	h := sha256.Sum256(data)
	return Entry{Seq: seq, Hash: h[:], Data: data}
}

func events(label string, from, to uint64) []Entry {
	var out []Entry
	for s := from; s <= to; s++ {
		out = append(out, event(label, s))
	}
	return out
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
