package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/i18n"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	fileServer := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})
}

// pageData is what a handler hands its template.
type pageData map[string]any

// pages holds, per language, one template set per page with the shared
// layout, all parsed at start-up so a request only executes.
type pages struct {
	sets map[string]map[string]*template.Template
}

func loadPages() *pages {
	p := &pages{sets: map[string]map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		p.sets[lang] = loadLanguage(lang)
	}
	return p
}

func loadLanguage(lang string) map[string]*template.Template {
	funcs := template.FuncMap{
		"t":     func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"lang":  func() string { return lang },
		"langs": func() []string { return i18n.Languages },
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(clock.Helsinki).Format("02.01.2006 15:04")
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("02.01.2006")
		},
		"hasPrefix": strings.HasPrefix,
	}
	// Files starting with _ are partials shared by every page.
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html"))
	entries, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	sets := map[string]*template.Template{}
	for _, name := range entries {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		sets[base] = template.Must(template.Must(layout.Clone()).ParseFS(templateFiles, name))
	}
	return sets
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, c *reqCtx, page string, data pageData) {
	s.renderStatus(w, r, c, http.StatusOK, page, data)
}

// renderStatus renders a page into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, page string, data pageData) {
	lang := c.Lang
	if !i18n.Valid(lang) {
		lang = i18n.Default
	}
	tmpl, ok := s.pages.sets[lang][page]
	if !ok {
		panic("web: no page " + page)
	}
	if data == nil {
		data = pageData{}
	}
	data["C"] = c
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
