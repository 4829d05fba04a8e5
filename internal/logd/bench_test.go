package logd

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkIngest measures how fast one sender can append over HTTPS on
// 127.0.0.1: each iteration is one batch of 256 events of about 400 bytes
// (the size of a canonical audit event with a few changed fields), sent and
// answered with leaf indices once Tessera has integrated them.
func BenchmarkIngest(b *testing.B) {
	const batch = 256
	l := newTestLog(b, "logd.bench/ingest")
	r := l.start(b)
	c := l.client(b, r.url, l.token)
	ctx := testContext(b)
	pad := strings.Repeat("x", 300)
	seq := uint64(0)
	next := func() []Entry {
		out := make([]Entry, batch)
		for i := range out {
			seq++
			data := []byte(fmt.Sprintf(`{"seq":%d,"action":"member.update","member":"m-%d","changes":%q}`, seq, seq%5000, pad))
			h := sha256.Sum256(data)
			out[i] = Entry{Seq: seq, Hash: h[:], Data: data}
		}
		return out
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		entries := next()
		b.StartTimer()
		if _, err := c.Append(ctx, entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
}
