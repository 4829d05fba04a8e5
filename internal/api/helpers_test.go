package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"seura.fi/seura/internal/api"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/pgtest"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// docURL is where the OpenAPI document is registered with the validator.
const docURL = "https://seura.test/api/v1/openapi.json"

// spec is the parsed OpenAPI document and a validator compiler over it.
var spec = sync.OnceValues(func() (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json is not JSON: %w", err)
	}
	return doc, nil
})

var (
	compilerMu sync.Mutex
	compiler   *jsonschema.Compiler
	compiled   = map[string]*jsonschema.Schema{}
)

// schemaAt compiles the schema at a JSON pointer into the document.
func schemaAt(t testing.TB, pointer string) *jsonschema.Schema {
	t.Helper()
	compilerMu.Lock()
	defer compilerMu.Unlock()
	if s, ok := compiled[pointer]; ok {
		return s
	}
	if compiler == nil {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		if err := c.AddResource(docURL, doc); err != nil {
			t.Fatal(err)
		}
		compiler = c
	}
	s, err := compiler.Compile(docURL + "#" + pointer)
	if err != nil {
		t.Fatalf("compile schema %s: %v", pointer, err)
	}
	compiled[pointer] = s
	return s
}

// ptr escapes one JSON pointer token (and makes it safe in a URL fragment).
func ptr(tok string) string {
	tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
	return strings.NewReplacer("{", "%7B", "}", "%7D", "+", "%2B").Replace(tok)
}

// operationPath finds the document's path template that matches a request
// path under /api/v1 ("" for none).
func operationPath(doc map[string]any, path string) string {
	rel := strings.TrimPrefix(path, "/api/v1")
	segs := strings.Split(rel, "/")
	for tmpl := range doc["paths"].(map[string]any) {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i := range ts {
			if ts[i] != segs[i] && !(strings.HasPrefix(ts[i], "{") && segs[i] != "") {
				ok = false
				break
			}
		}
		if ok {
			return tmpl
		}
	}
	return ""
}

// lookup follows a $ref inside the document.
func lookup(doc map[string]any, v map[string]any) (map[string]any, string) {
	ref, ok := v["$ref"].(string)
	if !ok {
		return v, ""
	}
	var cur any = doc
	p := "/" + strings.TrimPrefix(ref, "#/")
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[tok]
	}
	return cur.(map[string]any), p
}

// checkResponse validates a response against the OpenAPI document: the
// operation must list the status, with the content type received, and the
// body must validate against that schema.
func checkResponse(t testing.TB, method, path string, r resp) {
	t.Helper()
	doc, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := operationPath(doc, path)
	if tmpl == "" {
		t.Fatalf("%s %s: the path is not in the OpenAPI document", method, path)
	}
	op, ok := doc["paths"].(map[string]any)[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: no such operation in the OpenAPI document", method, tmpl)
	}
	status := strconv.Itoa(r.Status)
	rd, ok := op["responses"].(map[string]any)[status].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: status %d is not documented (body %s)", method, path, r.Status, r.Body)
	}
	pointer := "/paths/" + ptr(tmpl) + "/" + strings.ToLower(method) + "/responses/" + status
	if resolved, p := lookup(doc, rd); p != "" {
		rd, pointer = resolved, p
	}
	mt := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	content, _ := rd["content"].(map[string]any)
	if _, ok := content[mt]; !ok {
		t.Fatalf("%s %s: %d answered %q, not a documented content type (%v)", method, path, r.Status, mt, content)
	}
	validateBody(t, pointer+"/content/"+ptr(mt)+"/schema", r)
	if hs, ok := rd["headers"].(map[string]any); ok {
		for h := range hs {
			if r.Header.Get(h) == "" {
				t.Errorf("%s %s: documented header %s missing", method, path, h)
			}
		}
	}
}

// validateBody validates r's body against the schema at pointer.
func validateBody(t testing.TB, pointer string, r resp) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatalf("response body is not JSON: %v: %s", err, r.Body)
	}
	if err := schemaAt(t, pointer).Validate(inst); err != nil {
		t.Fatalf("response %d does not validate against %s: %v\nbody: %s", r.Status, pointer, err, r.Body)
	}
}

// resp is a response as tests look at it.
type resp struct {
	Status int
	Header http.Header
	Body   string
}

// JSON decodes the body as an object.
func (r resp) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// client talks to the API with one key.
type client struct {
	t   testing.TB
	srv *httptest.Server
	key string
}

// raw sends a request and returns the response unchecked.
func (c client) raw(method, path, contentType string, body io.Reader) resp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// send sends a request and validates the answer against the document.
func (c client) send(method, path, contentType string, body io.Reader) resp {
	c.t.Helper()
	r := c.raw(method, path, contentType, body)
	u, _ := url.Parse(path)
	checkResponse(c.t, method, u.Path, r)
	return r
}

func (c client) get(path string) resp {
	c.t.Helper()
	return c.send(http.MethodGet, path, "", nil)
}

// write sends v as JSON (a string is sent as it is).
func (c client) write(method, path string, v any) resp {
	c.t.Helper()
	var body []byte
	if s, ok := v.(string); ok {
		body = []byte(s)
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	return c.send(method, path, "application/json", bytes.NewReader(body))
}

func (c client) del(path string) resp {
	c.t.Helper()
	return c.send(http.MethodDelete, path, "", nil)
}

// wantProblem fails unless r is a problem with status and, when given,
// field.
func wantProblem(t testing.TB, r resp, status int, field string) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	p := r.JSON(t)
	if field != "" && p["field"] != field {
		t.Fatalf("problem field %v, want %q: %s", p["field"], field, r.Body)
	}
	if d, _ := p["detail"].(string); d == "" {
		t.Fatalf("problem without detail: %s", r.Body)
	}
	return p
}

// apiKey makes an API key of the association with the scope and returns
// it with its stored id.
func apiKey(t testing.TB, env *testenv.Env, assocID, scope string) (string, string) {
	t.Helper()
	var key string
	var k auth.APIKey
	err := env.DB.For(assocID).Write(context.Background(), func(tx *store.TenantTx) error {
		var err error
		key, k, err = env.Auth.CreateAPIKey(context.Background(), tx, "script "+scope, scope)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return key, k.ID
}
