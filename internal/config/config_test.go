package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"seura.fi/seura/internal/config"
)

// envKeys are every variable Load reads.
var envKeys = []string{"SEURA_CONFIG", "SEURA_ADDR", "SEURA_DATA", "SEURA_DB", "SEURA_BASE_URL", "SEURA_LOG_LEVEL",
	"SEURA_PG_APP_ROLE", "SEURA_SESSION_IDLE_TIMEOUT", "SEURA_SESSION_ABSOLUTE_TIMEOUT", "SEURA_INSECURE_COOKIES"}

// clearEnv unsets every SEURA_* variable for the test, so the caller's
// environment cannot decide an outcome.
func clearEnv(tb interface {
	Setenv(string, string)
}) {
	for _, k := range envKeys {
		tb.Setenv(k, "") // restores the old value when the test ends
		os.Unsetenv(k)
	}
}

func writeFile(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "seura.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// load parses args the way a command would and calls Load.
func load(t *testing.T, args ...string) (config.Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return config.Load(fs)
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c, err := load(t)
	if err != nil {
		t.Fatal(err)
	}
	if c != config.Defaults() {
		t.Errorf("Load with nothing = %+v, want the defaults %+v", c, config.Defaults())
	}
	if got, want := c.DSN(), "sqlite:"+filepath.Join("seura-data", "seura.db"); got != want {
		t.Errorf("DSN() = %q, want %q", got, want)
	}
	if got := c.PublicURL(); got != "http://127.0.0.1:8080" {
		t.Errorf("PublicURL() = %q", got)
	}
	c.BaseURL = "https://seura.example/"
	if got := c.PublicURL(); got != "https://seura.example" {
		t.Errorf("PublicURL() with base_url = %q", got)
	}
}

func TestPrecedence(t *testing.T) {
	const (
		fromFile = "127.0.0.1:1001"
		fromEnv  = "127.0.0.1:1002"
		fromFlag = "127.0.0.1:1003"
	)
	file := `addr = "` + fromFile + `"
log_level = "debug"
session_idle_timeout = "10m"
insecure_cookies = true
`
	tests := []struct {
		name           string
		file, env, flg bool
		want           string
	}{
		{"default", false, false, false, config.Defaults().Addr},
		{"file over default", true, false, false, fromFile},
		{"env over default", false, true, false, fromEnv},
		{"flag over default", false, false, true, fromFlag},
		{"env over file", true, true, false, fromEnv},
		{"flag over file", true, false, true, fromFlag},
		{"flag over env", false, true, true, fromFlag},
		{"flag over env over file", true, true, true, fromFlag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			var args []string
			if tt.file {
				args = append(args, "--config", writeFile(t, file))
			}
			if tt.env {
				t.Setenv("SEURA_ADDR", fromEnv)
			}
			if tt.flg {
				args = append(args, "--addr", fromFlag)
			}
			c, err := load(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.want {
				t.Errorf("addr = %q, want %q", c.Addr, tt.want)
			}
			// The file's other keys apply whatever wins addr.
			if tt.file && (c.LogLevel != "debug" || c.SessionIdle.Duration != 10*time.Minute || !c.InsecureCookies) {
				t.Errorf("file settings not applied: %+v", c)
			}
		})
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	clearEnv(t)
	envFile := writeFile(t, `log_level = "warn"`)
	flagFile := writeFile(t, `log_level = "error"`)
	t.Setenv("SEURA_CONFIG", envFile)
	c, err := load(t)
	if err != nil || c.LogLevel != "warn" {
		t.Fatalf("SEURA_CONFIG: log_level %q, err %v; want warn", c.LogLevel, err)
	}
	c, err = load(t, "--config", flagFile)
	if err != nil || c.LogLevel != "error" {
		t.Fatalf("--config over SEURA_CONFIG: log_level %q, err %v; want error", c.LogLevel, err)
	}
}

func TestEveryKnob(t *testing.T) {
	clearEnv(t)
	c, err := load(t, "--addr", ":0", "--data", "/srv/seura", "--db", "postgres://seura@db.example/seura",
		"--base-url", "https://seura.example", "--log-level", "debug", "--pg-app-role", "app",
		"--session-idle-timeout", "5m", "--session-absolute-timeout", "1h", "--insecure-cookies")
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{Addr: ":0", Data: "/srv/seura", DB: "postgres://seura@db.example/seura", BaseURL: "https://seura.example",
		LogLevel: "debug", PGAppRole: "app", SessionIdle: config.Duration{5 * time.Minute},
		SessionAbsolute: config.Duration{time.Hour}, InsecureCookies: true}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
	if c.DSN() != want.DB {
		t.Errorf("DSN() = %q, want --db", c.DSN())
	}
	if c, err = load(t, "--insecure-cookies=false"); err != nil || c.InsecureCookies {
		t.Errorf("--insecure-cookies=false: %v, %v", c.InsecureCookies, err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		file string            // config file body, if any
		env  map[string]string // SEURA_* variables
		args []string          // flags
		want []string          // substrings of the error
	}{
		{name: "unknown key", file: "addr = \"127.0.0.1:1\"\nfrobnicate = true\n", want: []string{`unknown key "frobnicate"`, "known keys: addr"}},
		{name: "unknown table", file: "[server]\naddr = \"x\"\n", want: []string{"unknown key", "server"}},
		{name: "wrong type", file: "addr = 5\n", want: []string{"addr", "incompatible types"}},
		{name: "wrong type bool", file: "insecure_cookies = \"yes\"\n", want: []string{"insecure_cookies"}},
		{name: "toml syntax", file: "addr = \n", want: []string{"config ", "line 1"}},
		{name: "missing file", args: []string{"--config", "/nonexistent/seura.toml"}, want: []string{"/nonexistent/seura.toml"}},
		{name: "bad duration in file", file: "session_idle_timeout = \"soon\"\n", want: []string{"session_idle_timeout", `"soon" is not a duration`}},
		{name: "bad duration env", env: map[string]string{"SEURA_SESSION_ABSOLUTE_TIMEOUT": "3 days"}, want: []string{"SEURA_SESSION_ABSOLUTE_TIMEOUT", "not a duration"}},
		{name: "bad duration flag", args: []string{"--session-idle-timeout", "5"}, want: []string{"--session-idle-timeout", `"5" is not a duration`}},
		{name: "negative duration", args: []string{"--session-idle-timeout", "-5m"}, want: []string{"session_idle_timeout", "not positive"}},
		{name: "zero absolute", file: "session_absolute_timeout = \"0s\"\n", want: []string{"session_absolute_timeout", "not positive"}},
		{name: "idle longer than absolute", args: []string{"--session-idle-timeout", "13h"}, want: []string{"session_idle_timeout", "session_absolute_timeout"}},
		{name: "idle longer than absolute via file", file: "session_idle_timeout = \"2h\"\nsession_absolute_timeout = \"1h\"\n", want: []string{"session_idle_timeout must not be longer"}},
		{name: "bad log level file", file: "log_level = \"loud\"\n", want: []string{"log_level", `"loud"`}},
		{name: "bad log level env", env: map[string]string{"SEURA_LOG_LEVEL": "INFO"}, want: []string{"log_level", `"INFO"`}},
		{name: "bad bool env", env: map[string]string{"SEURA_INSECURE_COOKIES": "maybe"}, want: []string{"SEURA_INSECURE_COOKIES", `"maybe" is not true or false`}},
		{name: "bad bool flag", args: []string{"--insecure-cookies=sometimes"}, want: []string{"--insecure-cookies"}},
		{name: "db mysql", args: []string{"--db", "mysql://x"}, want: []string{"--db", `"mysql"`}},
		{name: "db sqlite without path", args: []string{"--db", "sqlite:"}, want: []string{"--db", "sqlite: needs a file path"}},
		{name: "db sqlite slashes only", args: []string{"--db", "sqlite://"}, want: []string{"--db", "file path"}},
		{name: "db sqlite options", args: []string{"--db", "sqlite:x.db?mode=ro"}, want: []string{"--db", "options"}},
		{name: "db bare word", env: map[string]string{"SEURA_DB": "seura.db"}, want: []string{"--db", "unsupported scheme"}},
		{name: "db bad postgres", file: "db = \"postgres://h:notaport/seura\"\n", want: []string{"invalid --db"}},
		{name: "addr no port", args: []string{"--addr", "nonsense"}, want: []string{"addr", `"nonsense" is not host:port`}},
		{name: "addr bad port", args: []string{"--addr", "127.0.0.1:http"}, want: []string{"addr", `"http"`}},
		{name: "addr port too big", file: "addr = \"127.0.0.1:70000\"\n", want: []string{"addr", "65535"}},
		{name: "empty data", args: []string{"--data", ""}, want: []string{"data"}},
		{name: "base url", args: []string{"--base-url", "seura.example"}, want: []string{"base_url", "http://"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := tt.args
			if tt.file != "" {
				args = append([]string{"--config", writeFile(t, tt.file)}, args...)
			}
			_, err := load(t, args...)
			if err == nil {
				t.Fatalf("Load(%q) succeeded, want an error containing %q", args, tt.want)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestDescribeHidesPasswords(t *testing.T) {
	tests := []struct{ db, want string }{
		{"", "db = none"},
		{"sqlite:/srv/seura/seura.db", "db = sqlite:/srv/seura/seura.db"},
		{"postgres://seura@db.example/seura", "db = postgres://seura@db.example/seura"},
		{"postgres://seura:s3cret@db.example/seura", "db = postgres://seura:xxx@db.example/seura"},
		{"postgresql://seura:p%40ss@h1:5432,h2:5432/seura?sslmode=require", "db = postgresql://seura:xxx@h1:5432,h2:5432/seura?sslmode=require"},
		{"postgres://seura:s3cr@t@db.example/seura", "db = postgres://seura:xxx@db.example/seura"},
		{"postgres://db.example/seura?password=s3cret&sslmode=disable", "db = postgres://db.example/seura?password=xxx&sslmode=disable"},
		{"postgres://db.example/seura?sslmode=disable&PassWord=s3cret", "db = postgres://db.example/seura?sslmode=disable&PassWord=xxx"},
	}
	for _, tt := range tests {
		c := config.Defaults()
		c.DB = tt.db
		var got string
		for _, line := range c.Describe() {
			if strings.HasPrefix(line, "db = ") {
				got = line
			}
		}
		if got != tt.want {
			t.Errorf("Describe with db %q: %q, want %q", tt.db, got, tt.want)
		}
		if strings.Contains(strings.Join(c.Describe(), "\n"), "s3cr") {
			t.Errorf("Describe with db %q shows the password", tt.db)
		}
	}
	c := config.Defaults()
	if n, want := len(c.Describe()), 9; n != want {
		t.Errorf("Describe lists %d settings, want %d", n, want)
	}
}

// FuzzLoadFile feeds arbitrary bytes as the config file: Load must never
// panic, and a refusal must be one line, as the command prints it.
func FuzzLoadFile(f *testing.F) {
	f.Add([]byte("addr = \"127.0.0.1:8080\"\ndata = \"/srv/seura\"\nlog_level = \"warn\"\nsession_idle_timeout = \"15m\"\ninsecure_cookies = false\n"))
	f.Add([]byte("db = \"postgres://seura:pw@db.example:5432/seura?sslmode=require\"\nbase_url = \"https://seura.example\"\n"))
	f.Add([]byte("frobnicate = 1\n"))
	f.Add([]byte("addr = 5\n"))
	f.Add([]byte("session_idle_timeout = \"13h\"\n"))
	f.Add([]byte("db = \"sqlite:\"\n"))
	f.Add([]byte("\"a\\nb\" = 1\n"))
	f.Add([]byte("[addr]\nx = 1\n"))
	f.Add([]byte("addr = \"\"\"\nmulti\nline\n\"\"\"\n"))
	f.Add([]byte("\x00\xff\xfe\x01binary\n\x1b[31m = ]]]"))
	f.Add([]byte(""))
	for _, k := range envKeys {
		f.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) {
		p := filepath.Join(dir, "fuzz.toml")
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := pflag.NewFlagSet("fuzz", pflag.ContinueOnError)
		config.Flags(fs)
		if err := fs.Parse([]string{"--config", p}); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(fs)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		// An accepted file gives settings that pass their own check.
		if err := c.Check(); err != nil {
			t.Fatalf("Load accepted %+v but Check refuses it: %v", c, err)
		}
	})
}
