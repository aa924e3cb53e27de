//go:build reader10

package tracker

// Issue 10, second reader: routes into the local review (process.md stages 10-16) that
// the authors' tests do not take. Each test here failed until the defect it names was
// fixed; run with: go test -tags reader10 -run Reader10 ./tracker
//
// Every defect proved here is fixed: the tests moved, untagged, to
// reader10_fixed_cmd_test.go, reader10_fixed_lcspr_test.go and reader10_fixed_tor_test.go.
