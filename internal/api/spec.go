package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

// The document is kept in parts so that each part of the API describes
// itself next to its handlers: openapi.json holds the frame (info, security,
// shared schemas, the members paths) and openapi/<area>.json adds tags,
// paths and component schemas. A name defined twice is a mistake caught at
// start-up.
//
//go:embed openapi.json openapi/*.json
var specFiles embed.FS

func mergeOpenAPI() []byte {
	var doc map[string]any
	b, err := specFiles.ReadFile("openapi.json")
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(fmt.Sprintf("api: openapi.json: %v", err))
	}
	parts, err := fs.Glob(specFiles, "openapi/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range parts {
		b, err := specFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var part map[string]any
		if err := json.Unmarshal(b, &part); err != nil {
			panic(fmt.Sprintf("api: %s: %v", name, err))
		}
		if tags, ok := part["tags"].([]any); ok {
			doc["tags"] = append(doc["tags"].([]any), tags...)
		}
		mergeNames(name, "paths", doc["paths"].(map[string]any), part["paths"])
		if comps, ok := part["components"].(map[string]any); ok {
			for kind, entries := range comps {
				into, ok := doc["components"].(map[string]any)[kind].(map[string]any)
				if !ok {
					into = map[string]any{}
					doc["components"].(map[string]any)[kind] = into
				}
				mergeNames(name, "components."+kind, into, entries)
			}
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return out
}

func mergeNames(file, section string, into map[string]any, from any) {
	entries, _ := from.(map[string]any)
	for k, v := range entries {
		if _, dup := into[k]; dup {
			panic(fmt.Sprintf("api: %s: %s %q is defined twice", file, section, k))
		}
		into[k] = v
	}
}
