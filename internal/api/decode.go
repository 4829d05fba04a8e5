package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBody is the largest request body the API reads.
const maxBody = 1 << 20

// readJSON decodes the request's JSON object into v, which must be a
// pointer to a struct. It answers the request itself with a problem and
// returns false when the body is not one JSON object of v's fields: 415 for
// another content type, 413 for a body over 1 MiB, 400 for anything else.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		w.Header().Set("Accept-Post", "application/json")
		Problem(w, http.StatusUnsupportedMediaType, "Unsupported Media Type",
			"the body must be JSON, sent as Content-Type: application/json", "")
		return false
	}
	if r.ContentLength > maxBody {
		tooLarge(w)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		tooLarge(w)
		return false
	}
	if err != nil {
		Problem(w, http.StatusBadRequest, "Bad Request", "the body could not be read", "")
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		Problem(w, http.StatusBadRequest, "Bad Request", "the body is empty; a JSON object is expected", "")
		return false
	}
	if trimmed := bytes.TrimSpace(body); trimmed[0] != '{' {
		Problem(w, http.StatusBadRequest, "Bad Request", "the body must be a JSON object", "")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		badJSON(w, err)
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		Problem(w, http.StatusBadRequest, "Bad Request", "the body must be a single JSON object, with nothing after it", "")
		return false
	}
	return true
}

func tooLarge(w http.ResponseWriter) {
	Problem(w, http.StatusRequestEntityTooLarge, "Content Too Large",
		fmt.Sprintf("the body is larger than %d bytes (1 MiB)", maxBody), "")
}

// badJSON answers a decoding error, naming the field at fault when there
// is one.
func badJSON(w http.ResponseWriter, err error) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		Problem(w, http.StatusBadRequest, "Bad Request",
			fmt.Sprintf("the body is not valid JSON: %s (at byte %d)", strings.TrimPrefix(syn.Error(), "json: "), syn.Offset), "")
	case errors.Is(err, io.ErrUnexpectedEOF):
		Problem(w, http.StatusBadRequest, "Bad Request", "the body is not valid JSON: it ends too early", "")
	case errors.As(err, &typ):
		if typ.Field == "" {
			Problem(w, http.StatusBadRequest, "Bad Request", "the body must be a JSON object", "")
			return
		}
		Problem(w, http.StatusBadRequest, "Bad Request",
			fmt.Sprintf("%s must be %s, not %s", typ.Field, jsonKind(typ), typ.Value), typ.Field)
	default:
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			Problem(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("unknown field %q", name), name)
			return
		}
		Problem(w, http.StatusBadRequest, "Bad Request", "the body is not valid JSON: "+strings.TrimPrefix(err.Error(), "json: "), "")
	}
}

// jsonKind names the JSON type a Go type is decoded from.
func jsonKind(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	default:
		return "a " + e.Type.Kind().String()
	}
}
