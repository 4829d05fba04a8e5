package report_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/report"
	"seura.fi/seura/internal/testenv"
)

// exportBenchSize is the number of members the export benchmark writes:
// SEURA_BENCH_MEMBERS, else 100,000 (the figure in docs/performance.md).
func exportBenchSize(b *testing.B) int {
	n := 100000
	if v := os.Getenv("SEURA_BENCH_MEMBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SEURA_BENCH_MEMBERS: %v", err)
		}
	}
	return n
}

// BenchmarkExportXLSX measures an XLSX export of every member of one
// association, end to end: the query, the streamed workbook and the audit
// record, on each engine. Run it with
//
//	go test ./internal/report -run '^$' -bench Export -benchtime 3x
//
// (SEURA_TEST_ENGINES=sqlite for SQLite only).
func BenchmarkExportXLSX(b *testing.B) {
	members := exportBenchSize(b)
	for _, e := range testenv.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			env := testenv.New(b, e)
			start := time.Now()
			res, err := demo.Populate(context.Background(), env.DB, env.Audit, demo.Plan{Members: members, Associations: 1, Seed: 1, Today: env.Clock.Now()})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d members generated in %s", e.Name, members, time.Since(start).Round(time.Millisecond))
			a := res.Associations[0]
			all, _ := report.BuiltinByID(report.BuiltinAllMembers)
			d := all.Definition(0)
			var rows int
			for b.Loop() {
				rows, err = report.ExportReport(context.Background(), env.DB.For(a.ID), env.Audit, d,
					report.Request{Format: report.FormatXLSX, Name: "Jäsenet", Lang: "fi", Now: env.Clock.Now()}, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
			}
			if rows != members {
				b.Fatalf("exported %d rows, want %d", rows, members)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkExportMembersXLSX measures the member list's XLSX export of
// every member of one association, as its Export button does: every page
// of the member search, each page's fees and custom values (the demo
// register has three custom fields), the streamed workbook and the audit
// record, on each engine. Run it with
//
//	go test ./internal/report -run '^$' -bench ExportMembers -benchtime 1x
func BenchmarkExportMembersXLSX(b *testing.B) {
	members := exportBenchSize(b)
	for _, e := range testenv.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			env := testenv.New(b, e)
			start := time.Now()
			res, err := demo.Populate(context.Background(), env.DB, env.Audit, demo.Plan{Members: members, Associations: 1, Seed: 1, Today: env.Clock.Now()})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d members generated in %s", e.Name, members, time.Since(start).Round(time.Millisecond))
			a := res.Associations[0]
			var rows int
			for b.Loop() {
				rows, err = report.ExportMembers(context.Background(), env.DB.For(a.ID), env.Audit,
					member.Query{Statuses: []string{member.StatusAll}}, "status=all",
					report.Request{Format: report.FormatXLSX, Name: "Jäsenet", Lang: "fi", Now: env.Clock.Now()}, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
			}
			if rows != members {
				b.Fatalf("exported %d rows, want %d", rows, members)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
