package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"seura.fi/seura/internal/api"
	"seura.fi/seura/internal/testenv"
)

// TestOpenAPIDocument checks the document itself: JSON, OpenAPI 3.1, every
// route the API serves in it and nothing else, and every schema compiles.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("openapi version %q, want 3.1.x", v)
	}
	if servers, _ := doc["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/api/v1" {
		t.Fatalf("servers %v, want /api/v1", doc["servers"])
	}
	if _, ok := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["bearer"]; !ok {
		t.Fatal("no bearer security scheme")
	}

	served := map[string]bool{}
	for _, rt := range api.New(nil, nil, nil, nil).Routes() {
		served[rt.Method+" "+strings.TrimPrefix(rt.Pattern, "/api/v1")] = true
	}
	documented := map[string]bool{}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}
	for path, item := range doc["paths"].(map[string]any) {
		for m, op := range item.(map[string]any) {
			if !slices.Contains(methods, m) {
				continue
			}
			documented[strings.ToUpper(m)+" "+path] = true
			resps := op.(map[string]any)["responses"].(map[string]any)
			if len(resps) == 0 {
				t.Errorf("%s %s: no responses", m, path)
			}
			for status, rd := range resps {
				pointer := "/paths/" + ptr(path) + "/" + m + "/responses/" + status
				if r, p := lookup(doc, rd.(map[string]any)); p != "" {
					rd, pointer = r, p
				}
				for mt := range rd.(map[string]any)["content"].(map[string]any) {
					schemaAt(t, pointer+"/content/"+ptr(mt)+"/schema")
				}
			}
			if rb, ok := op.(map[string]any)["requestBody"].(map[string]any); ok {
				for mt := range rb["content"].(map[string]any) {
					schemaAt(t, "/paths/"+ptr(path)+"/"+m+"/requestBody/content/"+ptr(mt)+"/schema")
				}
			}
		}
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but not in the OpenAPI document", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("%s is in the OpenAPI document but not served", r)
		}
	}
	if len(served) < 9 {
		t.Fatalf("only %d routes", len(served))
	}
	// The Member schema names the enums people rely on.
	m := doc["components"].(map[string]any)["schemas"].(map[string]any)["Member"].(map[string]any)
	props := m["properties"].(map[string]any)
	for _, f := range []string{"status", "kind", "language", "gender"} {
		if _, ok := props[f].(map[string]any)["enum"]; !ok {
			t.Errorf("Member.%s has no enum", f)
		}
	}
	for _, f := range []string{"birth_date", "joined_on", "left_on"} {
		if props[f].(map[string]any)["format"] != "date" {
			t.Errorf("Member.%s is not a date", f)
		}
	}
}

// TestOpenAPIServed checks that the document is served without a key.
func TestOpenAPIServed(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		c := client{t: t, srv: env.Server(t)}
		r := c.get("/api/v1/openapi.json")
		if r.Status != http.StatusOK || !bytes.Equal([]byte(r.Body), api.OpenAPI) {
			t.Fatalf("openapi.json: %d", r.Status)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
			t.Fatal(err)
		}
	})
}

// TestValidatorRejects makes sure the response check is not vacuous: bodies
// that break the schemas fail.
func TestValidatorRejects(t *testing.T) {
	for pointer, body := range map[string]string{
		"/components/schemas/DeleteResult": `{"anonymised": "yes"}`,
		"/components/schemas/Problem":      `{"title": "x", "status": 400}`,
		"/components/schemas/Member":       `{"id": "x"}`,
		"/components/schemas/MemberPage":   `{"items": [], "next_cursor": null}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if schemaAt(t, pointer).Validate(inst) == nil {
			t.Errorf("%s accepted %s", pointer, body)
		}
	}
}
