package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/export"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Export formats.
const (
	FormatCSV    = "csv"
	FormatXLSX   = "xlsx"
	FormatPDF    = "pdf"
	FormatLabels = "labels"
)

// Formats lists them in the order export buttons show them.
var Formats = []string{FormatCSV, FormatXLSX, FormatPDF, FormatLabels}

// Audit actions of exports: a bulk read of personal data, recorded with
// the format and the number of rows.
const (
	ActionReportExport = "report.export"
	ActionMemberExport = "member.export"
	ActionReportRun    = "report.run"
)

// ContentType is the media type of a format's file.
func ContentType(format string) string {
	switch format {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/pdf"
}

// FileName is the name an export is downloaded as: base, the date in
// Helsinki and the format's extension, like jasenet-2026-11-28.xlsx.
func FileName(base string, now time.Time, format string) string {
	date := now.In(clock.Helsinki).Format(time.DateOnly)
	switch format {
	case FormatLabels:
		return base + "-tarrat-" + date + ".pdf"
	case FormatPDF:
		return base + "-" + date + ".pdf"
	}
	return base + "-" + date + "." + format
}

// csvDate is how dates are written into files: as people in Finland and
// Sweden write them, which their spreadsheets read as dates.
const csvDate = "02.01.2006"

// Request is one export.
type Request struct {
	Format string
	// Name is what is exported (a report's or the member list's name), for
	// the audit record and the PDF's heading.
	Name string
	// Association is the association's name, on top of a PDF.
	Association string
	// Lang is the language of column headers and labels.
	Lang string
	Now  time.Time
}

// ExportReport runs d and writes it to w in the requested format, then
// records the export (action report.export: format, rows, report name).
// w should be a temporary file: when the audit record cannot be written,
// nothing must reach the reader. The read runs in a read transaction and
// the record in a short write of its own, so a long export does not hold
// SQLite's one writer (everyone else's saves) for its whole length.
func ExportReport(ctx context.Context, t store.Tenant, rec *audit.Recorder, d Definition, req Request, w io.Writer) (int, error) {
	if !slices.Contains(Formats, req.Format) {
		return 0, &Error{Field: "format", Value: req.Format, Reason: "is not one of " + strings.Join(Formats, ", ")}
	}
	var n int
	err := t.Read(ctx, func(tx *store.TenantTx) error {
		var err error
		if req.Format == FormatLabels {
			n, err = writeLabels(ctx, tx, d, req, w)
		} else {
			n, err = writeReport(ctx, tx, d, req, w)
		}
		return err
	})
	if err != nil {
		return n, err
	}
	return n, recordExport(ctx, t, rec, audit.Event{Action: ActionReportExport, ObjectType: "report",
		Details: map[string]any{"format": req.Format, "rows": n, "report": req.Name}})
}

// recordExport records a finished export. It is a bulk read of personal
// data: the record must be committed before the file is handed out.
func recordExport(ctx context.Context, t store.Tenant, rec *audit.Recorder, ev audit.Event) error {
	return t.Write(ctx, func(tx *store.TenantTx) error {
		return rec.Record(ctx, tx.Platform(), ev)
	})
}

// Header is the column headers of d in lang.
func Header(lang string, cat Catalogue, d Definition) []string {
	var out []string
	for _, k := range d.OutputColumns() {
		out = append(out, ColumnLabel(lang, cat, k))
	}
	return out
}

// ColumnLabel is a column's header in lang.
func ColumnLabel(lang string, cat Catalogue, key string) string {
	if f, ok := cat.Field(key); ok && f.Label != "" {
		return f.Label
	}
	return i18n.T(lang, "reports.field."+key)
}

func writeReport(ctx context.Context, tx *store.TenantTx, d Definition, req Request, w io.Writer) (int, error) {
	cat, err := LoadCatalogue(ctx, tx)
	if err != nil {
		return 0, err
	}
	if err := d.Check(cat); err != nil {
		return 0, err
	}
	header := Header(req.Lang, cat, d)
	rows, err := Run(ctx, tx, d)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	// Values people read (statuses) are written in their language.
	statusCol := slices.Index(d.OutputColumns(), "status")
	cells := func(yield func([]string) bool) {
		for row := range rows.All() {
			rec := row.Strings(csvDate)
			if statusCol >= 0 {
				rec[statusCol] = i18n.T(req.Lang, "status."+rec[statusCol])
			}
			if !yield(rec) {
				return
			}
		}
	}
	switch req.Format {
	case FormatCSV:
		err = export.CSV(w, header, cells)
	case FormatXLSX:
		err = export.XLSX(w, req.Name, header, cells)
	default:
		err = export.PDFList(w, req.Association, req.Name+" "+req.Now.In(clock.Helsinki).Format(csvDate), header, cells)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", req.Format, err)
	}
	return rows.Count(), nil
}

// Fields address labels are read with, not offered in the catalogue: a
// name as written on an envelope, the member's household and the name of
// its recipient.
var labelFields = []Field{
	{Key: "label_name", Kind: Text, expr: `CASE WHEN m.kind = 'organisation' THEN m.org_name ELSE m.first_name || ' ' || m.last_name END`},
	{Key: "household_id", Kind: Text, expr: `(SELECT hm.household_id FROM household_members hm WHERE hm.member_id = m.id AND hm.association_id = m.association_id)`},
	{Key: "household_recipient", Kind: Text, expr: `(SELECT CASE WHEN r.kind = 'organisation' THEN r.org_name ELSE r.first_name || ' ' || r.last_name END
		FROM household_members hm JOIN households h ON h.id = hm.household_id AND h.association_id = hm.association_id
		JOIN members r ON r.id = h.recipient_member_id
		WHERE hm.member_id = m.id AND hm.association_id = m.association_id AND r.association_id = m.association_id)`},
}

// labelColumns are read for each label, in this order.
var labelColumns = []string{"label_name", "care_of", "street", "postcode", "town", "country", "household_id", "household_recipient", "household"}

// writeLabels writes the address labels of d's members: one per member,
// except that a household gets one label, addressed to its recipient (or,
// without one, to the household's name), however many of its members the
// report holds.
func writeLabels(ctx context.Context, tx *store.TenantTx, d Definition, req Request, w io.Writer) (int, error) {
	cat, err := LoadCatalogue(ctx, tx)
	if err != nil {
		return 0, err
	}
	d.Columns, d.GroupBy = labelColumns, ""
	q, err := d.build(append(cat, labelFields...), 0, 0)
	if err != nil {
		return 0, err
	}
	sqlRows, err := tx.Query(ctx, q.sql, q.args...)
	if err != nil {
		return 0, fmt.Errorf("read labels: %w", err)
	}
	rows := &Rows{rows: sqlRows, kinds: q.kinds}
	defer rows.Close()
	lab := newLabeller()
	n := 0
	labels := func(yield func([]string) bool) {
		for row := range rows.All() {
			if lines, ok := lab.label(row.Strings(csvDate)); ok {
				n++
				if !yield(lines) {
					return
				}
			}
		}
	}
	err = export.PDFLabels(w, labels)
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("export labels: %w", err)
	}
	return n, nil
}

// labeller turns label rows (labelColumns, as text) into the lines of
// address labels, one per member except that a household gets one label,
// addressed to its recipient (or, without one, to the household's name).
type labeller struct{ seen map[string]bool }

func newLabeller() *labeller { return &labeller{seen: map[string]bool{}} }

// label is the lines of v's label; false when v's household has one
// already.
func (l *labeller) label(v []string) ([]string, bool) {
	name, careOf, street, postcode, town, country, household, recipient, householdName := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
	if household != "" {
		if l.seen[household] {
			return nil, false
		}
		l.seen[household] = true
		name = recipient
		if name == "" {
			name = householdName
		}
	}
	if careOf != "" && !strings.HasPrefix(strings.ToLower(careOf), "c/o") {
		careOf = "c/o " + careOf
	}
	return []string{name, careOf, street, strings.TrimSpace(postcode + " " + strings.ToUpper(town)), countryLine(country)}, true
}

// labelRowsByID reads the label rows of the given members, in the order
// of ids.
func labelRowsByID(ctx context.Context, tx *store.TenantTx, ids []string) ([][]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cat := append(Catalogue(slices.Clone(catalogue)), labelFields...)
	var sel []string
	for _, k := range labelColumns {
		f, _ := cat.Field(k)
		sel = append(sel, f.expr)
	}
	args := make([]any, len(ids))
	ps := make([]string, len(ids))
	for i, id := range ids {
		args[i], ps[i] = id, "$"+strconv.Itoa(i+2)
	}
	rows, err := tx.Query(ctx, "SELECT m.id, "+strings.Join(sel, ", ")+" FROM members m WHERE "+store.KeyedTenant("m.association_id")+" AND m.id IN ("+
		strings.Join(ps, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	defer rows.Close()
	byID := map[string][]string{}
	for rows.Next() {
		raw := make([]any, len(labelColumns)+1)
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read labels: %w", err)
		}
		v := make([]string, len(labelColumns))
		for i := range v {
			val, err := toValue(Text, raw[i+1])
			if err != nil {
				return nil, err
			}
			v[i] = val.Text
		}
		id, _ := toValue(Text, raw[0])
		byID[id.Text] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	out := make([][]string, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// countryLine is the last line of an address abroad, as Posti asks: the
// country's name in capitals (in English, understood on the way). A Finnish
// address has none.
func countryLine(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || code == "FI" {
		return ""
	}
	return strings.ToUpper(member.CountryName(code, "en"))
}

// memberColumns are the card columns of a member-list export in CSV and
// XLSX; the association's custom fields follow them, one column each.
var memberColumns = []string{"member_number", "last_name", "first_name", "organisation_name", "status", "email",
	"extra_emails", "email_invoices", "phone", "care_of", "street", "postcode", "town", "municipality", "country",
	"birth_date", "joined_on", "left_on", "language", "fee"}

// pdfMemberColumns are the columns of the PDF member list, narrower than
// the files since they must fit across a landscape page.
var pdfMemberColumns = []string{"member_number", "full_name", "address", "email", "phone", "fee"}

// ExportMembers writes every member the member list's search q finds (all
// pages, not only the one shown) to w, then records the export (action
// member.export: format, rows, the search) as ExportReport does. Labels
// are one per member, or one per household (see writeLabels).
func ExportMembers(ctx context.Context, t store.Tenant, rec *audit.Recorder, q member.Query, filter string, req Request, w io.Writer) (int, error) {
	if !slices.Contains(Formats, req.Format) {
		return 0, &Error{Field: "format", Value: req.Format, Reason: "is not one of " + strings.Join(Formats, ", ")}
	}
	var n int
	err := t.Read(ctx, func(tx *store.TenantTx) error {
		var searchErr error
		q.Cursor, q.Limit = "", member.MaxPageSize
		// pages yields the members a page at a time, so that what the rows
		// need besides the card (fees, custom values) is read per page.
		pages := func(yield func([]member.Member) bool) {
			for {
				page, err := member.Search(ctx, tx, q)
				if err != nil {
					searchErr = err
					return
				}
				if len(page.Members) > 0 && !yield(page.Members) {
					return
				}
				if page.Next == "" {
					return
				}
				q.Cursor = page.Next
			}
		}
		all := func(yield func(member.Member) bool) {
			for page := range pages {
				for _, m := range page {
					if !yield(m) {
						return
					}
				}
			}
		}
		// A bad query must fail before anything is written.
		check := q
		check.Limit = 1
		if _, err := member.Search(ctx, tx, check); err != nil {
			return err
		}
		var err error
		if req.Format == FormatLabels {
			labels := newLabeller()
			err = export.PDFLabels(w, func(yield func([]string) bool) {
				// Labels are read a page of members at a time, by id, so a
				// household is collapsed across the whole list.
				var ids []string
				flush := func() bool {
					rows, err := labelRowsByID(ctx, tx, ids)
					ids = ids[:0]
					if err != nil {
						searchErr = err
						return false
					}
					for _, v := range rows {
						if lines, ok := labels.label(v); ok {
							n++
							if !yield(lines) {
								return false
							}
						}
					}
					return true
				}
				for m := range all {
					if ids = append(ids, m.ID); len(ids) == member.MaxPageSize && !flush() {
						return
					}
				}
				if len(ids) > 0 {
					flush()
				}
			})
		} else {
			var fields []member.CustomField
			if fields, err = member.CustomFields(ctx, tx); err != nil {
				return err
			}
			var fees map[string]string
			if fees, err = feeNames(ctx, tx); err != nil {
				return err
			}
			pdf := req.Format == FormatPDF
			header := memberHeader(req.Lang, fields, pdf)
			cells := func(yield func([]string) bool) {
				for page := range pages {
					extra, err := readMemberExtras(ctx, tx, fees, page)
					if err != nil {
						searchErr = err
						return
					}
					for _, m := range page {
						n++
						row := memberPDFRow(m, extra.fees[m.ID])
						if !pdf {
							row = memberRow(req.Lang, m, extra.fees[m.ID], fields, extra.custom[m.ID])
						}
						if !yield(row) {
							return
						}
					}
				}
			}
			switch req.Format {
			case FormatCSV:
				err = export.CSV(w, header, cells)
			case FormatXLSX:
				err = export.XLSX(w, req.Name, header, cells)
			default:
				err = export.PDFList(w, req.Association, req.Name+" "+req.Now.In(clock.Helsinki).Format(csvDate), header, cells)
			}
		}
		if err == nil {
			err = searchErr
		}
		if err != nil {
			return fmt.Errorf("export members: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, recordExport(ctx, t, rec, audit.Event{Action: ActionMemberExport, ObjectType: "member",
		Details: map[string]any{"format": req.Format, "rows": n, "filter": filter}})
}

// memberHeader names the columns of a member-list export in lang: the card
// columns, then each custom field by its name (the PDF list has neither
// all card columns nor the custom fields).
func memberHeader(lang string, fields []member.CustomField, pdf bool) []string {
	cols := memberColumns
	if pdf {
		cols = pdfMemberColumns
	}
	header := make([]string, 0, len(cols)+len(fields))
	for _, k := range cols {
		header = append(header, i18n.T(lang, "reports.field."+k))
	}
	if !pdf {
		for _, f := range fields {
			header = append(header, f.Name)
		}
	}
	return header
}

// memberExtras are what a page of exported members needs besides their
// cards: fee names and custom values (field id → value), by member id.
type memberExtras struct {
	fees   map[string]string
	custom map[string]map[string]string
}

// readMemberExtras reads the fee names and custom values of one page of
// members, one query each, so an export costs a few queries per page
// rather than per member.
func readMemberExtras(ctx context.Context, tx *store.TenantTx, names map[string]string, page []member.Member) (memberExtras, error) {
	ids := make([]string, len(page))
	for i, m := range page {
		ids[i] = m.ID
	}
	custom, err := customValuesFor(ctx, tx, ids)
	if err != nil {
		return memberExtras{}, err
	}
	fees, err := feeNamesFor(ctx, tx, names, ids)
	if err != nil {
		return memberExtras{}, err
	}
	return memberExtras{fees: fees, custom: custom}, nil
}

// feeNamesFor returns the name of the fee each member pays, by member id;
// members without a fee are absent. names are the association's fee names
// by id (see feeNames). The members are found by their primary key (see
// store.KeyedTenant).
func feeNamesFor(ctx context.Context, tx *store.TenantTx, names map[string]string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 || len(names) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	rows, err := tx.Query(ctx, `SELECT id, fee_id FROM members
		WHERE `+store.KeyedTenant("association_id")+` AND id IN (`+strings.Join(marks, ", ")+`) AND fee_id IS NOT NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("read members' fees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, feeID string
		if err := rows.Scan(&id, &feeID); err != nil {
			return nil, fmt.Errorf("scan member's fee: %w", err)
		}
		out[id] = names[feeID]
	}
	return out, rows.Err()
}

// customValuesFor reads the custom values of a page of members: member id
// → field id → canonical value: member.CustomValuesFor keyed by field id
// rather than name (a field may be renamed between pages, ids stay).
func customValuesFor(ctx context.Context, tx *store.TenantTx, ids []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	marks := make([]string, len(ids))
	for i, id := range ids {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+2)
	}
	rows, err := tx.Query(ctx, `SELECT member_id, field_id, value FROM custom_values
		WHERE association_id = $1 AND member_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read custom values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, field, value string
		if err := rows.Scan(&id, &field, &value); err != nil {
			return nil, fmt.Errorf("scan custom value: %w", err)
		}
		if out[id] == nil {
			out[id] = map[string]string{}
		}
		out[id][field] = value
	}
	return out, rows.Err()
}

// feeNames reads the association's fee names by id, once per export.
func feeNames(ctx context.Context, tx *store.TenantTx) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, name FROM fees WHERE association_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("read fees: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("scan fee: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

func exportDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(csvDate)
}

// memberRow is one member's row of a CSV or XLSX member list, in the order
// of memberHeader.
func memberRow(lang string, m member.Member, feeName string, fields []member.CustomField, custom map[string]string) []string {
	language := ""
	if m.Language != "" {
		language = i18n.T(lang, "lang."+m.Language)
	}
	row := make([]string, 0, len(memberColumns)+len(fields))
	row = append(row, fmt.Sprint(m.Number), m.LastName, m.FirstName, m.OrgName, i18n.T(lang, "status."+m.Status), m.Email,
		strings.Join(m.ExtraEmails, ", "), yesNo(lang, m.EmailInvoices), m.Phone, m.CareOf, m.Street, m.Postcode, m.Town,
		m.Municipality, m.Country, exportDate(m.BirthDate), exportDate(m.JoinedOn), exportDate(m.LeftOn), language, feeName)
	for _, f := range fields {
		row = append(row, CustomForPeople(lang, f.Kind, custom[f.ID]))
	}
	return row
}

// memberPDFRow is one member's row of the PDF member list, in the order
// of pdfMemberColumns.
func memberPDFRow(m member.Member, feeName string) []string {
	name := strings.TrimSpace(m.LastName + " " + m.FirstName)
	if m.OrgName != "" {
		name = m.OrgName
	}
	address := m.Street
	if town := strings.TrimSpace(m.Postcode + " " + m.Town); town != "" {
		if address != "" {
			address += ", "
		}
		address += town
	}
	return []string{fmt.Sprint(m.Number), name, address, m.Email, m.Phone, feeName}
}

func yesNo(lang string, b bool) string {
	if b {
		return i18n.T(lang, "reports.yes")
	}
	return i18n.T(lang, "reports.no")
}

// CustomForPeople writes a custom field's canonical value as people read
// it in lang: dates as 31.01.2026, yes and no in words, and numbers with a
// decimal comma in Finnish and Swedish. Text and choices are as stored.
func CustomForPeople(lang, kind, v string) string {
	if v == "" {
		return ""
	}
	switch kind {
	case member.FieldDate:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.Format(csvDate)
		}
	case member.FieldYesNo:
		return yesNo(lang, v == "true")
	case member.FieldNumber:
		if lang == "fi" || lang == "sv" {
			return strings.Replace(v, ".", ",", 1)
		}
	}
	return v
}
