package postcode

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestParse reads each form of postcode file and refuses bad ones with the
// line at fault.
func TestParse(t *testing.T) {
	pcf, err := os.ReadFile("testdata/PCF_sample.dat")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in string
		want     []Entry
		wantErr  string
	}{
		{name: "post's file in ISO 8859-1", in: string(pcf), want: []Entry{
			{"65100", "VAASA", "VASA", "905", "Vaasa"},
			{"00001", "UUSIKYLÄ", "NYBY", "091", "Helsinki"},
			{"79700", "HEINÄVESI KK", "", "090", "Heinävesi"},
		}},
		{name: "tsv with header", in: "postcode\ttown_fi\ttown_sv\n00100\tHELSINKI\tHELSINGFORS\n\n# note\n33100\tTAMPERE\tTAMMERFORS\n",
			want: []Entry{{Code: "00100", TownFI: "HELSINKI", TownSV: "HELSINGFORS"}, {Code: "33100", TownFI: "TAMPERE", TownSV: "TAMMERFORS"}}},
		{name: "semicolon csv from a spreadsheet", in: "\ufeff\"Postinumero\";\"Toimipaikka\"\r\n\"65100\";\"VAASA\"\r\n",
			want: []Entry{{Code: "65100", TownFI: "VAASA"}}},
		{name: "comma csv, same names", in: "65100,VAASA,VAASA,905,Vaasa\n",
			want: []Entry{{Code: "65100", TownFI: "VAASA", MunicipalityCode: "905", Municipality: "Vaasa"}}},
		{name: "empty", in: "", wantErr: "no postcodes"},
		{name: "only a header", in: "postcode;town\n", wantErr: "no postcodes"},
		{name: "short postcode", in: "65100;VAASA\n6510;VAASA\n", wantErr: "line 2: postcode must be 5 digits"},
		{name: "no town", in: "65100;\n", wantErr: "line 1: town is missing"},
		{name: "duplicate", in: "65100;VAASA\n65100;VASA\n", wantErr: "line 2: postcode 65100 already on line 1"},
		{name: "too many fields", in: "65100;A;B;905;C;D\n", wantErr: "line 1: has 6 fields"},
		{name: "bad municipality", in: "65100;VAASA;;9x5;Vaasa\n", wantErr: "line 1: municipality code must be 3 digits"},
		{name: "truncated PONOT", in: "PONOT2024041365100VAASA\n", wantErr: "line 1: record is too short"},
		{name: "control character", in: "65100;VAA\x01SA\n", wantErr: "line 1: town contains characters"},
		{name: "long line", in: "65100;" + strings.Repeat("A", maxLine+10) + "\n", wantErr: "token too long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(c.in))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				if got != nil {
					t.Errorf("entries returned with the error: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("entry %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// TestBuiltin checks the embedded list: Finland's postcodes with both
// languages' names where they differ.
func TestBuiltin(t *testing.T) {
	es, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Entry{}
	for _, e := range es {
		by[e.Code] = e
	}
	for code, want := range map[string][2]string{"65100": {"VAASA", "VASA"}, "00100": {"HELSINKI", "HELSINGFORS"},
		"22100": {"MARIEHAMN", ""}, "33100": {"TAMPERE", ""}} {
		if e := by[code]; e.TownFI != want[0] || e.TownSV != want[1] {
			t.Errorf("%s: %+v, want %v", code, e, want)
		}
	}
}

// FuzzParse feeds arbitrary files to the importer's parser: it must not
// panic, and what it accepts must be clean postcodes and one-line names.
func FuzzParse(f *testing.F) {
	if pcf, err := os.ReadFile("testdata/PCF_sample.dat"); err == nil {
		f.Add(pcf)
	}
	f.Add([]byte("65100\tVAASA\tVASA\t905\tVaasa\n"))
	f.Add([]byte("postcode;town\n00100;HELSINKI\n"))
	f.Add([]byte("PONOT20240413"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse(strings.NewReader(string(data)))
		if err != nil {
			if es != nil {
				t.Fatal("entries returned with an error")
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range es {
			if !ValidCode(e.Code) || seen[e.Code] {
				t.Fatalf("bad or repeated postcode %q", e.Code)
			}
			seen[e.Code] = true
			for _, s := range []string{e.TownFI, e.TownSV, e.Municipality} {
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n\t") || utf8.RuneCountInString(s) > MaxTown {
					t.Fatalf("bad name %q", s)
				}
			}
			if e.TownFI == "" || e.TownSV == e.TownFI {
				t.Fatalf("bad towns %+v", e)
			}
		}
	})
}
