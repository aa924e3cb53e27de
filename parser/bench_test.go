package parser

import (
	"os"
	"testing"
)

// BenchmarkParseReferral parses a typical filled referral .docx (the corpus's
// official layout when present) and reports documents per second.
func BenchmarkParseReferral(b *testing.B) {
	data, err := os.ReadFile("testdata/ref01_official.docx")
	if err != nil {
		data = makeDocx(b, officialReferral())
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := Parse("referral.docx", data, Options{})
		if err != nil || f.Kind != KindReferral {
			b.Fatalf("Parse = %v, %v", f, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
