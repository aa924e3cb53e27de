//go:build reader10

package main

// Issue 10, second reader: defects shown end to end with the real templates. Each fails
// until fixed; run with go test -tags reader10 -run Reader10 ./cmd/csprbot
