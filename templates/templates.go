// Package templates holds every email, letter and form csprbot sends: the mail
// templates (embedded, overridable file by file from a configured folder), the
// Appendix 3 scoping form as a generated .docx, and iCalendar invitations.
//
// # File layout
//
// Each email is one file, mail/NAME.tmpl, where NAME is a cspr.Tmpl* constant
// (see Names). A file defines up to three templates:
//
//	{{define "subject"}}…{{end}}  required; text/template; sees only SubjectData
//	{{define "text"}}…{{end}}     required; text/template; sees *cspr.MailData
//	{{define "html"}}…{{end}}     optional; html/template; sees *cspr.MailData
//
// mail/_common.tmpl holds definitions shared by every file (the signature, the
// confidentiality footer); a mail file may redefine any of them for itself.
//
// The subject never sees the whole MailData, only SubjectData (case reference,
// child's initials, agency name, chaser number, due date, date of writing), so a
// subject cannot carry a child's or family member's name, however it is edited.
//
// A partnership changes wording without recompiling by putting a file of the same
// name in the override folder (New's argument): it replaces the embedded file whole.
// Every file is parsed, and rendered once with sample data, when the Set is made,
// so a mistake in an override is reported at start-up, naming the file.
//
// # Functions available in templates
//
//	date       "Friday 11 December 2026" (Europe/London)
//	datetime   "17:00 on Friday 11 December 2026"
//	clock      "5pm", "9:30am"
//	ddmmyyyy   "11/12/2026"
//	iso        "2026-12-11"
//	ordinal    1 → "first", 2 → "second", …
//	plural     plural N "agency" "agencies"
//	join       join SEP LIST
//	stage      a case stage as words ("Initial scoping")
//	status     a return's status as words ("Awaiting return")
//	rag        "red" → "Red"; ragColour / ragText give HTML colours
//	partner    local_authority → "Local authority", …
//	next       a case's next pending deadline (or nil)
//	journeyText   a case's deadlines as marked steps: "[x] done  [>] next  [LATE] …"
//	journeyCells  the same as the HTML bar's coloured cells (the digest)
//	returnState   where a return stands: "Overdue, due 17:00 on …, 1 chaser sent"
//	ref        "[LSCP-2026-001]", or "[LSCP]" (the partnership's short name) with no case
//
// Text bodies are tidied after rendering: trailing spaces dropped, runs of blank
// lines cut to one, a single final newline.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zoneinfo database

	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

//go:embed mail/*.tmpl
var embedded embed.FS

const commonFile = "_common.tmpl"

var names = []string{
	cspr.TmplAckReferrer,
	cspr.TmplStaffNewReferral,
	cspr.TmplScopingRequest,
	cspr.TmplReturnReceived,
	cspr.TmplReturnEmpty,
	cspr.TmplStaffAttention,
	cspr.TmplReminder,
	cspr.TmplChaser,
	cspr.TmplEscalation,
	cspr.TmplCommandReply,
	cspr.TmplDigest,
	cspr.TmplMeetingInvite,
	cspr.TmplMeetingCancel,
	cspr.TmplPapers,
	cspr.TmplApprovalRequest,
	cspr.TmplPanelSubmission,
	cspr.TmplOutcomeNotice,
	cspr.TmplStatutoryReminder,
	cspr.TmplRRDraft,
	cspr.TmplChronology,
	cspr.TmplToRDraft,
	cspr.TmplPanelPack,
	cspr.TmplLCSPRRequest,
	cspr.TmplNationalNotice,
	cspr.TmplActionSignOff,
	cspr.TmplLearningInvite,
	cspr.TmplLCSPRReceived,
	cspr.TmplLCSPREscalate,
	cspr.TmplFamilyLetter,
}

// Names returns every template name, in a fixed order.
func Names() []string { return append([]string(nil), names...) }

// Set is the parsed templates, ready to render. It is safe for concurrent use.
type Set struct {
	mail map[string]*entry
}

type entry struct {
	file string // where it came from, for errors: "embedded mail/chaser.tmpl" or a path
	text *texttemplate.Template
	html *htmltemplate.Template // nil when the file defines no "html"
}

var _ cspr.Renderer = (*Set)(nil)

// SubjectData is all a subject template sees.
type SubjectData struct {
	Ref           string    // LSCP-2026-001; empty for mail about no case (the digest)
	ChildInitials string    // AB
	Agency        string    // the addressee agency's name, where there is one
	Chaser        int       // 1 for the first chaser, …
	Due           time.Time // the date the email asks for, if any
	Now           time.Time // when the email is written
	Short         string    // the partnership's short name, "LSCP"
	Cancelled     bool      // the email cancels what it is about (Reason "cancelled": an iCalendar CANCEL)
	Notice        string    // national_notice: which notice (reviewer_notification, final_report, nspcc_submission, publication_delay)
	PublishOn     time.Time // national_notice: the publication date, if known
}

// New parses every template. overrideDir "" uses the embedded files only;
// otherwise a file NAME.tmpl (or _common.tmpl) in that folder replaces the
// embedded one. A file in the folder that is not a known template is an error, so
// that a misspelt name is not silently ignored.
func New(overrideDir string) (*Set, error) {
	src := func(file string) (string, []byte, error) {
		b, err := embedded.ReadFile("mail/" + file)
		return "embedded mail/" + file, b, err
	}
	if overrideDir != "" {
		ents, err := os.ReadDir(overrideDir)
		if err != nil {
			return nil, fmt.Errorf("templates: override folder: %w", err)
		}
		known := map[string]bool{commonFile: true}
		for _, n := range names {
			known[n+".tmpl"] = true
		}
		over := map[string]string{}
		for _, e := range ents {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
				continue
			}
			if !known[e.Name()] {
				return nil, fmt.Errorf("templates: %s: not a template csprbot sends (known: %s)",
					filepath.Join(overrideDir, e.Name()), strings.Join(Names(), ", "))
			}
			over[e.Name()] = filepath.Join(overrideDir, e.Name())
		}
		embeddedSrc := src
		src = func(file string) (string, []byte, error) {
			if p, ok := over[file]; ok {
				b, err := os.ReadFile(p)
				return p, b, err
			}
			return embeddedSrc(file)
		}
	}

	commonName, common, err := src(commonFile)
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", commonName, err)
	}
	s := &Set{mail: map[string]*entry{}}
	sample := sampleData()
	for _, n := range names {
		file, body, err := src(n + ".tmpl")
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", file, err)
		}
		e, err := parseEntry(file, commonName, common, body)
		if err != nil {
			return nil, err
		}
		s.mail[n] = e
		// A field misspelt in a template is only found when it runs: run each
		// once now, so the error comes at start-up and names the file.
		if _, err := s.Render(n, sample); err != nil {
			return nil, fmt.Errorf("templates: %s: trial render: %w", file, err)
		}
	}
	return s, nil
}

func parseEntry(file, commonName string, common, body []byte) (*entry, error) {
	tt := texttemplate.New(file).Funcs(texttemplate.FuncMap(funcs)).Option("missingkey=error")
	if _, err := tt.New(commonName).Parse(string(common)); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", commonName, err)
	}
	if _, err := tt.Parse(string(body)); err != nil {
		return nil, fmt.Errorf("templates: %s: %w", file, err)
	}
	for _, need := range []string{"subject", "text"} {
		if tt.Lookup(need) == nil {
			return nil, fmt.Errorf("templates: %s: no {{define %q}}", file, need)
		}
	}
	e := &entry{file: file, text: tt}
	if tt.Lookup("html") != nil {
		ht := htmltemplate.New(file).Funcs(htmltemplate.FuncMap(funcs)).Option("missingkey=error")
		if _, err := ht.New(commonName).Parse(string(common)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", commonName, err)
		}
		if _, err := ht.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", file, err)
		}
		e.html = ht
	}
	return e, nil
}

// Render renders the named template with d.
func (s *Set) Render(name string, d *cspr.MailData) (cspr.Rendered, error) {
	var r cspr.Rendered
	e, ok := s.mail[name]
	if !ok {
		return r, fmt.Errorf("templates: no template %q", name)
	}
	if d == nil {
		d = &cspr.MailData{}
	}
	var b bytes.Buffer
	if err := e.text.ExecuteTemplate(&b, "subject", subjectData(d)); err != nil {
		return r, fmt.Errorf("templates: %s: subject: %w", name, err)
	}
	r.Subject = tidySubject(b.String())
	if r.Subject == "" {
		return r, fmt.Errorf("templates: %s: empty subject", name)
	}
	// The HTML is made while the text is: on more than one core the weekly digest of a
	// thousand open cases is ready in the time of the larger of the two.
	htmlDone := make(chan error, 1)
	if e.html != nil {
		go func() {
			var hb bytes.Buffer
			err := e.html.ExecuteTemplate(&hb, "html", d)
			r.HTML = strings.TrimSpace(hb.String()) + "\n"
			htmlDone <- err
		}()
	} else {
		htmlDone <- nil
	}
	b.Reset()
	errText := e.text.ExecuteTemplate(&b, "text", d)
	errHTML := <-htmlDone
	if errText != nil {
		return r, fmt.Errorf("templates: %s: text: %w", name, errText)
	}
	if errHTML != nil {
		return r, fmt.Errorf("templates: %s: html: %w", name, errHTML)
	}
	r.Text = tidyText(b.String())
	atts, err := attachments(name, d)
	if err != nil {
		return r, fmt.Errorf("templates: %s: %w", name, err)
	}
	r.Attachments = atts
	return r, nil
}

// DocxType is the media type of a .docx file.
const DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// attachments are the files a template carries: the scoping form goes with the
// request, and again with a reminder or chaser when the caller fills in Form.
func attachments(name string, d *cspr.MailData) ([]cspr.Attachment, error) {
	if atts, ok, err := rrAttachments(name, d); ok {
		return atts, err
	}
	if atts, ok, err := draftAttachments(name, d); ok {
		return atts, err
	}
	if atts, ok, err := lcsprAttachments(name, d); ok {
		return atts, err
	}
	switch name {
	case cspr.TmplScopingRequest, cspr.TmplReminder, cspr.TmplChaser:
	default:
		return nil, nil
	}
	if name != cspr.TmplScopingRequest && d.Form.CaseRef == "" {
		return nil, nil
	}
	f := formView(d)
	doc, err := scopingForm(f, formOptions{Partnership: d.Partnership, RapidReviewBy: rapidReviewBy(d.Case)})
	if err != nil {
		return nil, fmt.Errorf("scoping form: %w", err)
	}
	return []cspr.Attachment{{Name: ScopingFormName(f), ContentType: DocxType, Data: doc}}, nil
}

// formView is the form to attach: d.Form, with what it leaves out taken from the
// case, the addressee and the due date.
func formView(d *cspr.MailData) cspr.FormView {
	f := d.Form
	if f.CaseRef == "" {
		f.CaseRef = d.Case.Ref
	}
	if f.ChildInitials == "" {
		f.ChildInitials = d.Case.ChildInitials
	}
	if f.AgencyName == "" {
		f.AgencyName = d.Agency.Name
	}
	if f.ReturnBy.IsZero() {
		f.ReturnBy = d.Due
	}
	return f
}

// ScopingFormName is the file name of the scoping form sent for f.
func ScopingFormName(f cspr.FormView) string {
	ref := safeFileName(f.CaseRef)
	if ref == "" {
		return "Initial scoping and information sharing form.docx"
	}
	return ref + " Initial scoping and information sharing form.docx"
}

var unsafeFileChars = lazyRegexp(`[^A-Za-z0-9 ._-]+`)

func safeFileName(s string) string {
	return strings.TrimSpace(unsafeFileChars().ReplaceAllString(s, ""))
}

// rapidReviewBy is when the Rapid Review report is due, from the case's deadlines.
func rapidReviewBy(c cspr.CaseView) time.Time {
	for _, dl := range c.Deadlines {
		if dl.Rule == "rr_submission" {
			return dl.Due
		}
	}
	return time.Time{}
}

func subjectData(d *cspr.MailData) SubjectData {
	short := d.Partnership.Short
	if short == "" {
		short = "LSCP"
	}
	sd := SubjectData{Ref: d.Case.Ref, ChildInitials: d.Case.ChildInitials, Agency: d.Agency.Name,
		Chaser: d.Chaser, Due: d.Due, Now: d.Now, Short: short, Cancelled: d.Reason == "cancelled"}
	if d.LCSPR != nil {
		sd.Notice, sd.PublishOn = d.LCSPR.Notice, d.LCSPR.PublishOn
	}
	return sd
}

var spaces = lazyRegexp(`\s+`)

// tidySubject makes a subject one line (a header cannot hold a line break).
func tidySubject(s string) string { return strings.TrimSpace(spaces().ReplaceAllString(s, " ")) }

var blankRuns = lazyRegexp(`\n{3,}`)

func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = blankRuns().ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.Trim(s, "\n") + "\n"
}

// embeddedFiles lists the embedded template files, for tests.
func embeddedFiles() ([]string, error) {
	var out []string
	err := fs.WalkDir(embedded, "mail", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.IsDir() {
			out = append(out, strings.TrimPrefix(p, "mail/"))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
