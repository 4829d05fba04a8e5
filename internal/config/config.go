// Package config reads Seura's settings: command-line flags first, then
// SEURA_* environment variables, then an optional TOML file, then defaults.
// A bad value is reported by name, on one line, before anything starts.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/pflag"

	"seura.fi/seura/internal/store"
)

// Config is every setting. The toml tag is the key in the file; the flag
// is the same with - for _, and the environment variable is SEURA_ and the
// key in capitals.
type Config struct {
	Addr            string   `toml:"addr" help:"address the web app listens on"`
	Data            string   `toml:"data" help:"data directory (SQLite database, keys, outbox)"`
	DB              string   `toml:"db" help:"database: sqlite:PATH or postgres://… (default: SQLite in the data directory)"`
	BaseURL         string   `toml:"base_url" help:"public URL, used in links sent by e-mail (default: http://ADDR)"`
	LogLevel        string   `toml:"log_level" help:"debug, info, warn or error"`
	PGAppRole       string   `toml:"pg_app_role" help:"PostgreSQL role the app runs as; migrate grants it data rights"`
	SessionIdle     Duration `toml:"session_idle_timeout" help:"log out after this long without activity"`
	SessionAbsolute Duration `toml:"session_absolute_timeout" help:"log out this long after login, whatever the activity"`
	InsecureCookies bool     `toml:"insecure_cookies" help:"send cookies without the Secure flag (plain-HTTP testing only)"`
}

// Duration is a time.Duration written as "30m" in files and flags.
type Duration struct{ time.Duration }

// UnmarshalText parses a duration such as "30m" or "12h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like 30m or 12h", string(b))
	}
	d.Duration = v
	return nil
}

// Defaults are the values when nothing else is given.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Data:            "./seura-data",
		LogLevel:        "info",
		PGAppRole:       "seura_app",
		SessionIdle:     Duration{30 * time.Minute},
		SessionAbsolute: Duration{12 * time.Hour},
	}
}

type field struct {
	key, flag, env, help string
	value                reflect.Value
}

func fields(c *Config) []field {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	var out []field
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("toml")
		out = append(out, field{key: key, flag: strings.ReplaceAll(key, "_", "-"), env: "SEURA_" + strings.ToUpper(key),
			help: t.Field(i).Tag.Get("help"), value: v.Field(i)})
	}
	return out
}

// keys lists the keys a file may use, for the unknown-key message.
func keys() []string {
	var out []string
	for _, f := range fields(&Config{}) {
		out = append(out, f.key)
	}
	sort.Strings(out)
	return out
}

// Flags registers every setting as a flag, plus --config.
func Flags(fs *pflag.FlagSet) {
	d := Defaults()
	for _, f := range fields(&d) {
		fs.String(f.flag, "", fmt.Sprintf("%s (env %s, default %s)", f.help, f.env, show(f.value)))
		if f.value.Kind() == reflect.Bool {
			// A bare --insecure-cookies means true, as for any switch.
			fs.Lookup(f.flag).NoOptDefVal = "true"
		}
	}
	fs.String("config", "", "TOML file with settings (env SEURA_CONFIG)")
}

func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case Duration:
		return x.String()
	case string:
		if x == "" {
			return "none"
		}
		return x
	}
	return fmt.Sprint(v.Interface())
}

// Load reads the settings in their order of precedence and checks them.
func Load(fs *pflag.FlagSet) (Config, error) {
	c := Defaults()
	path := os.Getenv("SEURA_CONFIG")
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			path = f.Value.String()
		}
	}
	if path != "" {
		if err := loadFile(path, &c); err != nil {
			return c, err
		}
	}
	for _, f := range fields(&c) {
		if v, ok := os.LookupEnv(f.env); ok {
			if err := set(f.value, v); err != nil {
				return c, fmt.Errorf("%s: %w", f.env, err)
			}
		}
		if fs != nil {
			if fl := fs.Lookup(f.flag); fl != nil && fl.Changed {
				if err := set(f.value, fl.Value.String()); err != nil {
					return c, fmt.Errorf("--%s: %w", f.flag, err)
				}
			}
		}
	}
	return c, c.Check()
}

func loadFile(path string, c *Config) error {
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("config %s: %s", path, strings.Join(strings.Fields(perr.Error()), " "))
		}
		return fmt.Errorf("config %s: %s", path, strings.Join(strings.Fields(err.Error()), " "))
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return fmt.Errorf("config %s: unknown key %q (known keys: %s)", path, undecoded[0].String(), strings.Join(keys(), ", "))
	}
	return nil
}

func set(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		d := v.Addr().Interface().(*Duration)
		return d.UnmarshalText([]byte(s))
	}
	return nil
}

// Check validates the values together, naming the setting at fault.
func (c *Config) Check() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("addr: %q is not host:port", c.Addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("addr: port %q is not a number from 0 to 65535", port)
	}
	_ = host
	if c.Data == "" {
		return errors.New("data: must not be empty")
	}
	if c.DB != "" {
		if _, _, err := store.ParseDSN(c.DB); err != nil {
			return err
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.SessionIdle.Duration <= 0 {
		return fmt.Errorf("session_idle_timeout: %s is not positive", c.SessionIdle.Duration)
	}
	if c.SessionAbsolute.Duration <= 0 {
		return fmt.Errorf("session_absolute_timeout: %s is not positive", c.SessionAbsolute.Duration)
	}
	if c.SessionIdle.Duration > c.SessionAbsolute.Duration {
		return errors.New("session_idle_timeout must not be longer than session_absolute_timeout")
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("base_url: %q must start with http:// or https://", c.BaseURL)
	}
	return nil
}

// DSN is the database to open: --db, or SQLite in the data directory.
func (c *Config) DSN() string {
	if c.DB != "" {
		return c.DB
	}
	return store.DefaultDSN(c.Data)
}

// PublicURL is the base of links sent by e-mail.
func (c *Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return "http://" + c.Addr
}

// OutboxDir is where the default mail sender writes messages.
func (c *Config) OutboxDir() string { return filepath.Join(c.Data, "outbox") }

// Describe lists the effective settings, with any database password hidden.
func (c *Config) Describe() []string {
	var out []string
	cc := *c
	for _, f := range fields(&cc) {
		v := show(f.value)
		if f.key == "db" {
			v = redactDSN(v)
		}
		out = append(out, fmt.Sprintf("%s = %s", f.key, v))
	}
	return out
}

func redactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok || (scheme != "postgres" && scheme != "postgresql") {
		return dsn
	}
	// The user info ends at the last @ before the path or query, as in
	// net/url: a password may itself contain @.
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		if user, _, hasPassword := strings.Cut(authority[:i], ":"); hasPassword {
			authority = user + ":xxx@" + authority[i+1:]
		}
	}
	return scheme + "://" + authority + passwordParam.ReplaceAllString(tail, "${1}xxx")
}

// passwordParam finds a password given as a query parameter.
var passwordParam = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)
