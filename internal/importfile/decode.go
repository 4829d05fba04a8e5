package importfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// The values of Table.Encoding.
const (
	encUTF8        = "utf-8"
	encUTF8BOM     = "utf-8-bom"
	encWindows1252 = "windows-1252"
	encUTF16LE     = "utf-16le"
	encUTF16BE     = "utf-16be"
)

// saveAsCSV ends the errors that only saving the file again can fix, since
// the fix is always the same.
const saveAsCSV = `save it from Excel as "CSV UTF-8"`

// cp1252 holds the UTF-8 form of each Windows-1252 byte. The five bytes
// the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90 and 0x9D) decode to
// "" and are refused: they do not occur in text Excel saves, so a file
// containing them is in some other encoding and guessing would corrupt names
// silently.
var cp1252 = func() (t [256]string) {
	for i := range t {
		if r := charmap.Windows1252.DecodeByte(byte(i)); r != utf8.RuneError {
			t[i] = string(r)
		}
	}
	return t
}()

// decode turns the raw bytes into UTF-8 text and names the encoding. A file
// that is not valid UTF-8 is taken to be Windows-1252, which is what Excel's
// plain "CSV" format writes on Finnish and Swedish Windows; every byte
// sequence is valid Windows-1252 apart from five bytes, so this needs no
// guessing beyond "not UTF-8".
func decode(raw []byte) (text, enc string, err error) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}):
		text, err = decodeUTF16(raw[2:], false)
		enc = encUTF16LE
	case bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		text, err = decodeUTF16(raw[2:], true)
		enc = encUTF16BE
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		raw = raw[3:]
		if i := invalidUTF8(raw); i >= 0 {
			return "", "", fmt.Errorf("line %d: not valid UTF-8 although the file starts with a UTF-8 byte order mark (byte 0x%02X)", lineAt(raw, i), raw[i])
		}
		text, enc = string(raw), encUTF8BOM
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		return "", "", errors.New("the file is a spreadsheet workbook (.xlsx or .ods), not CSV; " + saveAsCSV)
	case bytes.HasPrefix(raw, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "", "", errors.New("the file is an old Excel workbook (.xls), not CSV; " + saveAsCSV)
	case utf8.Valid(raw):
		text, enc = string(raw), encUTF8
	default:
		text, err = decodeWindows1252(raw)
		enc = encWindows1252
	}
	if err != nil {
		return "", "", err
	}
	// A second byte order mark, left by tools that add one to text that
	// already has one, would otherwise end up in the first column's name.
	for strings.HasPrefix(text, "\uFEFF") {
		text = text[len("\uFEFF"):]
	}
	return text, enc, nil
}

func decodeWindows1252(raw []byte) (string, error) {
	size := len(raw)
	for _, c := range raw {
		if c >= 0x80 {
			size += len(cp1252[c]) - 1
		}
	}
	var b strings.Builder
	b.Grow(size)
	run := 0 // start of the run of ASCII not yet written
	for i, c := range raw {
		if c < 0x80 {
			continue
		}
		// A valid two-byte UTF-8 sequence for one of À..ÿ (which covers
		// ä, ö and å) means the file is partly UTF-8: it was edited with
		// two programs. Decoding it as Windows-1252 would turn every "ä"
		// of the UTF-8 part into "Ã¤" in the register, so it is refused.
		if c == 0xC3 && i+1 < len(raw) && raw[i+1] >= 0x80 && raw[i+1] <= 0xBF {
			first := max(invalidUTF8(raw), 0)
			return "", fmt.Errorf("line %d: the file mixes UTF-8 and Windows-1252 text (byte 0x%02X is not UTF-8); %s", lineAt(raw, first), raw[first], saveAsCSV)
		}
		if cp1252[c] == "" {
			return "", fmt.Errorf("line %d: byte 0x%02X is neither UTF-8 nor Windows-1252 text; %s", lineAt(raw, i), c, saveAsCSV)
		}
		b.Write(raw[run:i])
		b.WriteString(cp1252[c])
		run = i + 1
	}
	b.Write(raw[run:])
	return b.String(), nil
}

// decodeUTF16 decodes what follows a UTF-16 byte order mark. Unpaired
// surrogates are refused rather than replaced, like any other byte sequence
// that cannot be text.
func decodeUTF16(b []byte, bigEndian bool) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("the file starts with a UTF-16 byte order mark but has an odd number of bytes; it is cut short or not UTF-16")
	}
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	var sb strings.Builder
	sb.Grow(len(b) / 2)
	line := 1
	for i := 0; i < len(b); i += 2 {
		r := unit(i)
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
			if i+3 < len(b) {
				r = utf16.DecodeRune(unit(i), unit(i+2))
				i += 2
			}
			if r == utf8.RuneError {
				return "", fmt.Errorf("line %d: not valid UTF-16 (a lone surrogate)", line)
			}
		}
		if r == '\n' {
			line++
		}
		sb.WriteRune(r)
	}
	return sb.String(), nil
}

// checkControls refuses control characters other than tab, CR and LF. They
// are invisible in Excel and in the register, break exports, and in practice
// mean the file is not text in the encoding it was taken to be: NUL bytes
// from UTF-16 without a byte order mark, C1 controls (U+0080..U+009F) from
// Windows-1252 text that was once decoded as Latin-1. DEL is refused for the
// same reasons.
func checkControls(text, enc string) error {
	// Byte by byte, as text is valid UTF-8: C0 and DEL are single bytes and
	// C1 controls are 0xC2 followed by 0x80..0x9F. The line is only counted
	// once there is an error to report.
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= 0x20 && c != 0x7F && c != 0xC2, c == '\t', c == '\n', c == '\r':
		case c == 0xC2:
			if i+1 < len(text) && text[i+1] <= 0x9F {
				return fmt.Errorf("line %d: contains a control character (U+%04X)", lineAtString(text, i), text[i+1])
			}
		default:
			hint := ""
			if c == 0 && enc != encUTF16LE && enc != encUTF16BE {
				hint = "; the file may be UTF-16 without a byte order mark, " + saveAsCSV
			}
			return fmt.Errorf("line %d: contains a control character (0x%02X)%s", lineAtString(text, i), c, hint)
		}
	}
	return nil
}

// invalidUTF8 returns the offset of the first byte of b that is not part of
// valid UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// lineAt returns the 1-based line number of offset i in b.
func lineAt(b []byte, i int) int {
	return bytes.Count(b[:i], []byte{'\n'}) + 1
}

func lineAtString(s string, i int) int {
	return strings.Count(s[:i], "\n") + 1
}
