// Package lcsprdemo holds the documents csprbot demo --lcspr sends (embedded by
// cmd/csprbot/lcspr_demo.go): the Terms of Reference, the action plan, and each agency's
// chronology (Appendix 10) and agency report (Appendix 9) for the demo's case
// LSCP-2026-001, child ET. Every name in them is fictional.
//
// The chronologies and agency reports are written by fixtures_test.go, in the layout of
// the pre-filled forms csprbot attaches to its requests (a title, a label | value table,
// then the form's table), with the case reference added. After changing it:
//
//	go test ./cmd/csprbot/lcsprdemo -update
//
// Without -update the test checks that every file is what the generator writes and that
// csprbot's parser reads each as the right form, case, child and agency.
package lcsprdemo
