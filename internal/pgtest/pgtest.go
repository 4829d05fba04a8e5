// Package pgtest starts throwaway PostgreSQL servers for Go tests from the
// locally installed binaries, so that tests run against the real database
// (including row-level security) without Docker or downloads.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role names used by NewDatabase. The application connects as AppRole so that
// row-level security applies to it; migrations run as OwnerRole.
const (
	OwnerRole = "seura_owner"
	AppRole   = "seura_app"
)

// ErrNoBinaries is returned by Start when initdb/postgres cannot be found, so
// that Shared can tell "not installed" apart from "failed to start".
var ErrNoBinaries = errors.New("pgtest: PostgreSQL binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin")

// Cluster is a running throwaway server (or an external one, see Shared).
type Cluster struct {
	Host string // always 127.0.0.1 for started clusters
	Port int

	external string        // superuser DSN of an external server; "" if we started it
	cmd      *exec.Cmd     // the postgres process
	exited   chan struct{} // closed when cmd has been waited for
	tmp      string        // temp dir holding data dir and log; removed by Stop
	logPath  string

	rolesMu   sync.Mutex // serialises role creation so it happens once
	rolesDone bool
}

// findBinDir returns the directory holding initdb and postgres: PATH wins so
// a developer can override, else the highest /usr/lib/postgresql/N/bin.
func findBinDir() (string, error) {
	if p, err := exec.LookPath("postgres"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { // numeric, so 9 < 15
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

// runAs returns the credential to run PostgreSQL with: initdb and postgres
// refuse to run as root, so as root we switch to the postgres system user.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root but no postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort asks the kernel for an unused port. It can in theory be taken
// before postgres binds it, which is acceptable for tests.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start initialises a new cluster in a temp dir and runs postgres on a free
// loopback port with durability turned off (speed matters, data does not).
func Start(ctx context.Context) (c *Cluster, err error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := runAs()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{Host: "127.0.0.1", tmp: tmp, logPath: filepath.Join(tmp, "postgres.log")}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	data := filepath.Join(tmp, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		return nil, err
	}
	if cred != nil { // the server user must own its data dir and reach it
		for _, d := range []string{tmp, data} {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data,
		"-A", "trust", "-U", "postgres", "--encoding", "UTF8", "--locale", "C", "--no-sync")
	initdb.Dir = tmp
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	if c.Port, err = freePort(); err != nil {
		return nil, err
	}
	logf, err := os.Create(c.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child keeps its own copy of the descriptor
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(c.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+data,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=100", "-c", "shared_buffers=128MB")
	c.cmd.Dir = tmp
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	// Pdeathsig makes the kernel stop the server if the test binary dies.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgtest: start postgres: %w", err)
	}
	c.exited = make(chan struct{})
	go func() { c.cmd.Wait(); close(c.exited) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, cerr := pgx.Connect(pctx, c.SuperuserDSN("postgres"))
		cancel()
		if cerr == nil {
			conn.Close(ctx)
			return c, nil
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("pgtest: postgres exited during startup:\n%s", c.logTail())
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("pgtest: postgres not ready after 30s: %v\n%s", cerr, c.logTail())
		}
	}
}

// logTail returns the end of the server log for error messages.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(c.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// dsn builds a DSN for user and dbname, reusing the external DSN's settings
// (password, sslmode, ...) when there is one.
func (c *Cluster) dsn(usr, dbname string) string {
	if c.external == "" {
		return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", usr, c.Host, c.Port, url.PathEscape(dbname))
	}
	u, err := url.Parse(c.external)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// keyword/value form: later keywords override earlier ones.
		s := c.external + " dbname=" + dbname
		if usr != "" {
			s += " user=" + usr + " password=''"
		}
		return s
	}
	u.Path = "/" + dbname
	if usr != "" {
		u.User = url.User(usr)
	}
	return u.String()
}

// SuperuserDSN returns a DSN connecting to dbname as the superuser, for
// setup and teardown that the test roles may not do.
func (c *Cluster) SuperuserDSN(dbname string) string {
	if c.external != "" {
		return c.dsn("", dbname)
	}
	return c.dsn("postgres", dbname)
}

// Stop shuts the server down (fast shutdown, then SIGKILL after 10 s) and
// removes its files. It does nothing for an external server.
func (c *Cluster) Stop() error {
	if c == nil || c.external != "" {
		return nil
	}
	var err error
	if c.exited != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
			err = errors.New("pgtest: postgres did not stop in 10s; killed")
		}
	}
	if rerr := os.RemoveAll(c.tmp); err == nil {
		err = rerr
	}
	return err
}

var dbCounter atomic.Int64

// NewDatabase creates a fresh database for one test and returns two DSNs:
// ownerDSN connects as role seura_owner, which owns the database (and so the
// tables that migrations create); appDSN connects as role seura_app (LOGIN
// NOSUPERUSER NOBYPASSRLS, owner of nothing), which is how the application
// runs so that PostgreSQL's row-level security applies to it. Both roles
// authenticate without a password, so an external server must trust them.
func (c *Cluster) NewDatabase(ctx context.Context) (ownerDSN, appDSN string, err error) {
	conn, err := pgx.Connect(ctx, c.SuperuserDSN("postgres"))
	if err != nil {
		return "", "", fmt.Errorf("pgtest: connect as superuser: %w", err)
	}
	defer conn.Close(ctx)
	if err := c.ensureRoles(ctx, conn); err != nil {
		return "", "", err
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := fmt.Sprintf("t_%d_%s", dbCounter.Add(1), hex.EncodeToString(rnd[:]))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" OWNER "+OwnerRole); err != nil {
		return "", "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return c.dsn(OwnerRole, name), c.dsn(AppRole, name), nil
}

// ensureRoles creates the test roles once per cluster. Duplicate errors are
// ignored because other test processes may share an external server.
func (c *Cluster) ensureRoles(ctx context.Context, conn *pgx.Conn) error {
	c.rolesMu.Lock()
	defer c.rolesMu.Unlock()
	if c.rolesDone {
		return nil
	}
	for _, role := range []string{OwnerRole, AppRole} {
		_, err := conn.Exec(ctx, `DO $$ BEGIN
			CREATE ROLE `+role+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`)
		if err != nil {
			return fmt.Errorf("pgtest: create role %s: %w", role, err)
		}
	}
	c.rolesDone = true
	return nil
}

var shared struct {
	mu  sync.Mutex
	c   *Cluster
	err error // remembered so every test reports why, not just the first
}

// Shared returns one cluster per test process, started on first use. If
// SEURA_TEST_POSTGRES is set, it is a superuser DSN of an existing server to
// use instead. Missing binaries fail the test unless
// SEURA_TEST_POSTGRES_OPTIONAL=1, so CI cannot silently skip database tests.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c == nil && shared.err == nil {
		if dsn := os.Getenv("SEURA_TEST_POSTGRES"); dsn != "" {
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				shared.err = fmt.Errorf("pgtest: SEURA_TEST_POSTGRES: %w", err)
			} else {
				shared.c = &Cluster{Host: cfg.Host, Port: int(cfg.Port), external: dsn}
			}
		} else {
			shared.c, shared.err = Start(context.Background())
		}
	}
	if errors.Is(shared.err, ErrNoBinaries) && os.Getenv("SEURA_TEST_POSTGRES_OPTIONAL") == "1" {
		t.Skip(shared.err)
	}
	if shared.err != nil {
		t.Fatalf("%v (install PostgreSQL, set SEURA_TEST_POSTGRES to a superuser DSN, or SEURA_TEST_POSTGRES_OPTIONAL=1 to skip)",
			shared.err)
	}
	return shared.c
}

// StopShared stops the shared cluster if one was started; call it from
// TestMain after m.Run() so no server outlives the test binary.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c != nil {
		shared.c.Stop()
		shared.c = nil
	}
}

// Database is the convenient test form of NewDatabase on the shared cluster:
// it fails the test on error and drops the database when the test ends.
func Database(t testing.TB) (ownerDSN, appDSN string) {
	t.Helper()
	c := Shared(t)
	ctx := context.Background()
	ownerDSN, appDSN, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := pgx.ParseConfig(ownerDSN)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, c.SuperuserDSN("postgres"))
		if err != nil {
			t.Errorf("pgtest: drop database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+cfg.Database+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return ownerDSN, appDSN
}

// Main runs a package's tests and then stops the shared cluster; a
// package's TestMain is just `pgtest.Main(m)`.
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}
