// Package parser turns the documents agencies send (Word, PDF, ODT, email bodies)
// into the partnership's form fields. It is pure: bytes in, a Form out. No IMAP, no
// SQL, no clock.
package parser

import "errors"

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
}

// Errors a caller can tell apart. Each is wrapped with detail; test with errors.Is.
var (
	ErrEncrypted   = errors.New("document is password-protected and no password given opens it")
	ErrUnsupported = errors.New("unsupported format")
	ErrCorrupt     = errors.New("document is damaged or not what its name says")
	ErrTooLarge    = errors.New("document exceeds a safety limit")
)
