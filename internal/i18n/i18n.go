// Package i18n holds the interface's messages in Finnish, Swedish and
// English, and picks the language a visitor reads.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Languages the interface speaks, in the order a picker shows them.
var Languages = []string{"fi", "sv", "en"}

// Default is the language when nothing else decides: most associations
// in Finland work in Finnish.
const Default = "fi"

// The catalog of a language is catalog/<lang>.json merged with every
// catalog/<area>.<lang>.json, so each part of the product keeps its own
// messages. A key defined twice is a mistake caught at start-up.
//
//go:embed catalog/*.json
var files embed.FS

var catalogs = map[string]map[string]string{}

func init() {
	names, err := fs.Glob(files, "catalog/*.json")
	if err != nil {
		panic(err)
	}
	for _, lang := range Languages {
		catalogs[lang] = map[string]string{}
	}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".json")
		lang := base[strings.LastIndex(base, ".")+1:]
		m, ok := catalogs[lang]
		if !ok {
			panic(fmt.Sprintf("i18n: %s: %q is not a language", name, lang))
		}
		b, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			panic(fmt.Sprintf("i18n: catalog %s: %v", name, err))
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				panic(fmt.Sprintf("i18n: %s: key %q is defined twice", name, k))
			}
			m[k] = v
		}
	}
}

// Valid reports whether lang is one of Languages.
func Valid(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// T returns the message key in lang, formatted with args. A key missing in
// lang falls back to English, then to the key itself, so a gap shows up as
// text rather than as an empty page (a test keeps the catalogs complete).
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs["en"][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists in the English catalog.
func Has(key string) bool {
	_, ok := catalogs["en"][key]
	return ok
}

// Keys returns the keys of one catalog, sorted, for completeness tests.
func Keys(lang string) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Match picks the best language from an Accept-Language header. A language
// the visitor marks q=0 is one they do not accept.
func Match(acceptLanguage string) string {
	best, bestQ := "", 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			name, v, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
				continue
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = min(f, 1)
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if Valid(base) && q > bestQ {
			best, bestQ = base, q
		}
	}
	if best == "" {
		return Default
	}
	return best
}
