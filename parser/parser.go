// Package parser turns the documents agencies send (Word, PDF, ODT, email bodies)
// into the partnership's form fields. It is pure: bytes in, a Form out. No IMAP, no
// SQL, no clock.
package parser

import (
	"errors"
	"strings"
)

// Kind names a form of the guidance.
type Kind string

const (
	KindReferral          Kind = "referral"            // Appendix 1
	KindScopingReturn     Kind = "scoping_return"      // Appendix 3
	KindRapidReviewReport Kind = "rapid_review_report" // Appendix 5
	KindChronology        Kind = "chronology"          // Appendix 10
	KindAgencyReport      Kind = "agency_report"       // Appendix 9
	KindUnknown           Kind = "unknown"
)

// Form is what one document says, in the shape forms.md fixes for `csprbot parse`.
// Every value is a string; a field the document does not answer is absent.
type Form struct {
	File     string                         `json:"file"`
	Kind     Kind                           `json:"kind"`
	CaseRef  string                         `json:"case_ref"`
	Fields   map[string]string              `json:"fields"`
	Tables   map[string][]map[string]string `json:"tables"`
	Warnings []string                       `json:"warnings"`
}

// Options controls one Parse call.
type Options struct {
	// Passwords are tried, in order, on a password-protected document.
	Passwords []string
	// Limits caps what one document may cost; zero fields take DefaultLimits.
	Limits Limits
	// readAll walks every reading of the document, not only those that could be
	// the best (doc.readAll): the full path the tests compare the fast one with.
	readAll bool
}

// Errors a caller can tell apart. Each is wrapped with detail; test with errors.Is.
var (
	ErrEncrypted   = errors.New("document is password-protected and no password given opens it")
	ErrUnsupported = errors.New("unsupported format")
	ErrCorrupt     = errors.New("document is damaged or not what its name says")
	ErrTooLarge    = errors.New("document exceeds a safety limit")
)

// Unanswered lists, in the form's order, the questions of f's kind that f has no
// answer to, by key: what a person must complete or look up, so that no field is
// silently empty (issue 13). An email key counts as answered when its contact
// field is (the address was not given), and a "Please state" key when its option
// was not the one chosen. A form of kind unknown has none.
func (f *Form) Unanswered() []string {
	s := Spec(f.Kind)
	if s == nil {
		return nil
	}
	others := map[string]bool{}
	for _, fs := range s.Fields {
		if fs.Other != "" {
			others[fs.Other] = true
		}
	}
	var out []string
	for _, fs := range s.Fields {
		if _, ok := f.Fields[fs.Key]; ok || others[fs.Key] {
			continue
		}
		if base, ok := strings.CutSuffix(fs.Key, "_email"); ok && base != "" {
			if _, has := f.Fields[base+"_contact"]; has {
				continue
			}
		}
		out = append(out, fs.Key)
	}
	return out
}
