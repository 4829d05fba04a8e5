package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"seura.fi/seura/internal/store"
)

// binary is the seura command, built once for every test here.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "seura-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "seura")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command(goTool(), "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build seura: %v\n", err)
		return 1
	}
	return m.Run()
}

// goTool is the go command on PATH (go test runs with its own toolchain's
// bin first on PATH).
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// environ is the test's environment without SEURA_* variables, plus extra.
func environ(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEURA_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// command prepares seura with args, run in a temporary directory so that
// nothing lands in the repository whatever the flags.
func command(ctx context.Context, t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = environ()
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runSeura runs seura to the end, at most limit.
func runSeura(t *testing.T, limit time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := command(ctx, t, args...)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("seura %q did not finish within %s (stdout %q, stderr %q)", args, limit, r.stdout, r.stderr)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run seura %q: %v", args, err)
	}
	return r
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInput is the acceptance check that a wrong setting fails fast
// with one line naming the problem and a non-zero exit code.
func TestBadInput(t *testing.T) {
	unknownKey := writeFile(t, "unknown.toml", "addr = \"127.0.0.1:0\"\nfrobnicate = true\n")
	wrongType := writeFile(t, "type.toml", "addr = 5\n")
	badDuration := writeFile(t, "duration.toml", "session_idle_timeout = \"half an hour\"\n")
	notTOML := writeFile(t, "junk.toml", "\x00\x01 this is [not toml\n")
	tests := []struct {
		name string
		args []string
		env  []string
		want []string // in the one line of stderr
	}{
		{"mysql db", []string{"serve", "--db", "mysql://x"}, nil, []string{"--db", "mysql"}},
		{"sqlite without path", []string{"serve", "--db", "sqlite:"}, nil, []string{"--db", "sqlite"}},
		{"unreachable postgres", []string{"serve", "--db", "postgres://127.0.0.1:1/seura"}, nil,
			[]string{"cannot reach PostgreSQL", "127.0.0.1:1"}},
		{"unresolvable postgres", []string{"serve", "--db", "postgres://seura:hunter2@nonexistent.invalid/seura"}, nil,
			[]string{"cannot reach PostgreSQL", "nonexistent.invalid"}},
		{"unknown key", []string{"serve", "--config", unknownKey}, nil, []string{`"frobnicate"`, "unknown key", unknownKey}},
		{"wrong type", []string{"serve", "--config", wrongType}, nil, []string{"addr", wrongType}},
		{"bad duration", []string{"serve", "--config", badDuration}, nil, []string{"session_idle_timeout", "half an hour"}},
		{"not toml", []string{"serve", "--config", notTOML}, nil, []string{notTOML}},
		{"missing config", []string{"serve", "--config", "/nonexistent/seura.toml"}, nil, []string{"/nonexistent/seura.toml"}},
		{"config from env", []string{"serve"}, []string{"SEURA_CONFIG=" + unknownKey}, []string{"frobnicate"}},
		{"bad env", []string{"serve"}, []string{"SEURA_LOG_LEVEL=loud"}, []string{"log_level", "loud"}},
		{"nonsense addr", []string{"serve", "--addr", "nonsense"}, nil, []string{"addr", "nonsense"}},
		{"config check unknown key", []string{"config", "check", "--config", unknownKey}, nil, []string{"frobnicate"}},
		{"migrate mysql", []string{"migrate", "--db", "mysql://x"}, nil, []string{"mysql"}},
		{"demo wrong type", []string{"demo", "--config", wrongType}, nil, []string{"addr"}},
		{"unknown flag", []string{"serve", "--frobnicate"}, nil, []string{"frobnicate"}},
		{"unknown command", []string{"frobnicate"}, nil, []string{"frobnicate"}},
		{"mistyped command", []string{"serv"}, nil, []string{`unknown command "serv"`, "serve"}},
		{"argument to serve", []string{"serve", "extra"}, nil, []string{"extra"}},
		{"bare bool flag then bad addr", []string{"serve", "--insecure-cookies", "--addr", "nonsense"}, nil, []string{"nonsense"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := filepath.Join(t.TempDir(), "data")
			args := tt.args
			if args[0] == "serve" || args[0] == "config" || args[0] == "migrate" || args[0] == "demo" {
				args = slices.Concat(args, []string{"--data", data})
			}
			r := runSeura(t, 15*time.Second, tt.env, args...)
			if r.code == 0 {
				t.Fatalf("seura %q exited 0 (stdout %q), want a failure", args, r.stdout)
			}
			line, ok := strings.CutSuffix(r.stderr, "\n")
			if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "seura: ") {
				t.Errorf("stderr is not one line starting \"seura: \":\n%s", r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q does not name %q", line, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if strings.Contains(r.stderr, "hunter2") {
				t.Errorf("the error shows the database password: %q", r.stderr)
			}
			if r.took > 15*time.Second {
				t.Errorf("took %s to fail", r.took)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	good := writeFile(t, "good.toml", `addr = "127.0.0.1:9090"
db = "postgres://seura:s3cret@db.example/seura?sslmode=disable"
log_level = "warn"
session_idle_timeout = "20m"
`)
	r := runSeura(t, 15*time.Second, []string{"SEURA_BASE_URL=https://seura.example"}, "config", "check", "--config", good,
		"--data", data, "--log-level", "debug")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"addr = 127.0.0.1:9090", "base_url = https://seura.example", "log_level = debug",
		"session_idle_timeout = 20m0s", "db = postgres://seura:xxx@db.example/seura?sslmode=disable", "config ok\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "s3cret") {
		t.Errorf("config check shows the database password:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}
	if fileExists(data) {
		t.Error("config check created the data directory")
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	r := runSeura(t, 30*time.Second, nil, "migrate", "--data", data)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	want := fmt.Sprintf("applied %d migration(s); schema is at version %d\n", store.LatestVersion(), store.LatestVersion())
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	if !fileExists(filepath.Join(data, "seura.db")) {
		t.Errorf("no database in %s", data)
	}
	r = runSeura(t, 30*time.Second, nil, "migrate", "--data", data)
	if r.code != 0 || r.stdout != fmt.Sprintf("applied 0 migration(s); schema is at version %d\n", store.LatestVersion()) {
		t.Errorf("second migrate: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// server is a running seura serve.
type server struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	lines  []string      // stdout up to the serving line
	url    string        // printed base URL
	outEOF chan struct{} // closed when stdout ends
}

var servingLine = regexp.MustCompile(`^Seura is serving (http://\S+) `)

// startServe starts seura serve and waits, at most limit, for it to print
// the address it serves.
func startServe(t *testing.T, limit time.Duration, args ...string) *server {
	t.Helper()
	s := &server{cmd: command(context.Background(), t, append([]string{"serve"}, args...)...), outEOF: make(chan struct{})}
	s.cmd.Stderr = &s.stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.outEOF
			s.cmd.Wait()
		}
	})
	lines := make(chan string, 1024)
	go func() {
		defer close(s.outEOF)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads after the serving line
			}
		}
		io.Copy(io.Discard, out)
	}()
	deadline := time.After(limit)
	for {
		select {
		case line := <-lines:
			s.lines = append(s.lines, line)
			if m := servingLine.FindStringSubmatch(line); m != nil {
				s.url = m[1]
				return s
			}
		case <-s.outEOF:
			s.cmd.Wait()
			t.Fatalf("seura serve ended before serving; stdout:\n%s\nstderr:\n%s", strings.Join(s.lines, "\n"), s.stderr.String())
		case <-deadline:
			t.Fatalf("seura serve printed no URL within %s; stdout:\n%s", limit, strings.Join(s.lines, "\n"))
		}
	}
}

// stop sends SIGTERM and expects a clean exit within limit.
func (s *server) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		<-s.outEOF
		done <- s.cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v; stderr:\n%s", err, s.stderr.String())
		}
		t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	case <-time.After(limit):
		t.Fatalf("seura serve still running %s after SIGTERM", limit)
	}
}

// browser talks to the server without following redirects, carrying the
// cookies itself: Go's cookie jar keeps Secure (__Host-) cookies away from
// plain http, where this test runs.
type browser struct {
	t       *testing.T
	base    string
	client  *http.Client
	cookies map[string]string
}

func newBrowser(t *testing.T, base string) *browser {
	return &browser{t: t, base: base, cookies: map[string]string{}, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return resp, string(page)
}

const (
	// preCookie binds the login form's CSRF token before there is a session.
	preCookie     = "__Host-pre"
	sessionCookie = "__Host-seura"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login submits the login form and returns the answer to the POST.
func (b *browser) login(email, password string) *http.Response {
	b.t.Helper()
	resp, page := b.do(http.MethodGet, "/login", nil)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET /login: %s", resp.Status)
	}
	if b.cookies[preCookie] == "" {
		b.t.Fatalf("GET /login set no %s cookie (got %v)", preCookie, resp.Header.Values("Set-Cookie"))
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatal("the login page has no csrf field")
	}
	resp, _ = b.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "csrf": {m[1]}})
	return resp
}

var (
	credential = regexp.MustCompile(`^\s+(\S+@demo\.seura\.invalid)\s+password (\S+)\s`)
	totalCount = regexp.MustCompile(`<li class="count total"><span class="n">(\d+)</span>`)
)

// TestQuickStart is the quick-start acceptance: serve --demo comes up with a
// demo association and accounts that can log in, and stops cleanly.
func TestQuickStart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	start := time.Now()
	s := startServe(t, 5*time.Second, "--demo", "--addr", "127.0.0.1:0", "--data", data)
	t.Logf("serving %s after %s", s.url, time.Since(start).Round(time.Millisecond))

	b := newBrowser(t, s.url)
	for _, path := range []string{"/login", "/healthz", "/readyz"} {
		if resp, _ := b.do(http.MethodGet, path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", path, resp.Status)
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the login page answered %s after start, want within 5s", took)
	}

	passwords := map[string]string{}
	for _, line := range s.lines {
		if m := credential.FindStringSubmatch(line); m != nil {
			passwords[m[1]] = m[2]
		}
	}
	out := strings.Join(s.lines, "\n")
	if len(passwords) != 3 || !strings.Contains(out, "created with 500 members") || !strings.Contains(out, s.url+"/login") {
		t.Fatalf("the demo start did not print three accounts and the login URL:\n%s", out)
	}

	t.Run("user logs in and sees 500 members", func(t *testing.T) {
		b := newBrowser(t, s.url)
		resp := b.login("kassor@demo.seura.invalid", passwords["kassor@demo.seura.invalid"])
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/associations" {
			t.Fatalf("POST /login: %s to %q, want 303 to /associations", resp.Status, resp.Header.Get("Location"))
		}
		if b.cookies[sessionCookie] == "" {
			t.Fatalf("login set no %s cookie", sessionCookie)
		}
		resp, _ = b.do(http.MethodGet, "/associations", nil)
		dash := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/a/[^/]+/$`).MatchString(dash) {
			t.Fatalf("GET /associations: %s to %q, want 303 to the one association", resp.Status, dash)
		}
		resp, page := b.do(http.MethodGet, dash, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", dash, resp.Status)
		}
		if !strings.Contains(page, `id="member-counts"`) {
			t.Fatalf("the dashboard has no #member-counts:\n%s", page)
		}
		if m := totalCount.FindStringSubmatch(page); m == nil || m[1] != "500" {
			t.Errorf("the dashboard total is %q, want 500", m)
		}
	})

	t.Run("administrator must enrol a second factor", func(t *testing.T) {
		b := newBrowser(t, s.url)
		resp := b.login("ordforande@demo.seura.invalid", passwords["ordforande@demo.seura.invalid"])
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/mfa/enrol" {
			t.Fatalf("POST /login: %s to %q, want 303 to /mfa/enrol", resp.Status, resp.Header.Get("Location"))
		}
		// The half-open session reaches no association page.
		if resp, _ := b.do(http.MethodGet, "/associations", nil); resp.StatusCode != http.StatusSeeOther ||
			resp.Header.Get("Location") != "/mfa/enrol" {
			t.Errorf("GET /associations before enrolment: %s to %q", resp.Status, resp.Header.Get("Location"))
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		b := newBrowser(t, s.url)
		if resp := b.login("kassor@demo.seura.invalid", "not the password"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /login with a wrong password: %s, want 401", resp.Status)
		}
		if b.cookies[sessionCookie] != "" {
			t.Error("a failed login set a session cookie")
		}
	})

	s.stop(t, 10*time.Second)

	// A second start with --demo leaves the data alone.
	s = startServe(t, 10*time.Second, "--demo", "--addr", "127.0.0.1:0", "--data", data)
	out = strings.Join(s.lines, "\n")
	if !strings.Contains(out, "already exists") || strings.Contains(out, "password") {
		t.Errorf("second serve --demo printed:\n%s\nwant \"already exists\" and no passwords", out)
	}
	s.stop(t, 10*time.Second)
	if n := count(t, data, "associations"); n != 1 {
		t.Errorf("%d associations after two starts with --demo, want 1", n)
	}
	if n := count(t, data, "users"); n != 3 {
		t.Errorf("%d accounts after two starts with --demo, want 3", n)
	}
}

func TestDemoCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	r := runSeura(t, 45*time.Second, nil, "demo", "--members", "2000", "--associations", "3", "--data", data)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	assocLine := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\t\S.*$`)
	if len(lines) != 3 {
		t.Errorf("stdout has %d lines, want 3 associations:\n%s", len(lines), r.stdout)
	}
	for _, l := range lines {
		if !assocLine.MatchString(l) {
			t.Errorf("not an association line (id TAB name): %q", l)
		}
	}
	if !strings.Contains(r.stderr, "created 3 association(s) with 2000 members") {
		t.Errorf("stderr lacks the summary:\n%s", r.stderr)
	}
	if n := count(t, data, "associations"); n != 3 {
		t.Errorf("%d associations in the database, want 3", n)
	}
	if n := count(t, data, "members"); n != 2000 {
		t.Errorf("%d members in the database, want 2000", n)
	}
	t.Logf("demo took %s", r.took.Round(time.Millisecond))
}

// count reads the number of rows in table from the data directory's
// database, while no server runs.
func count(t *testing.T, data, table string) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.DefaultDSN(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
