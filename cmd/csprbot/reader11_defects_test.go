//go:build reader11

// Second reader, issue 11: routes that break the intake's promises. Each test here fails on
// the code as it stands; run with
//   go test -tags reader11 -run Reader11 ./cmd/csprbot
// Fixed ones move to an untagged file: the read commands' (read-only filesystem, case REF
// status and the write lock) to reader11_readonly_test.go.

package main
