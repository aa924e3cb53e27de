package templates

import (
	"fmt"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// lcsprAttachments are the files the local review's requests carry: the chronology
// (Appendix 10) or agency report (Appendix 9) template, pre-filled for the case and the
// agency ("chronology templates are created by the Partnership Support team and are
// customised to each case"). ok is false for other emails.
func lcsprAttachments(name string, d *cspr.MailData) ([]cspr.Attachment, bool, error) {
	if name == cspr.TmplLearningInvite {
		return learningInvite(d)
	}
	if name == cspr.TmplFamilyLetter {
		reviewer := ""
		if d.LCSPR != nil {
			reviewer = d.LCSPR.Reviewer
		}
		doc, err := FamilyLetter(FamilyLetterData{Partnership: d.Partnership, Ref: d.Case.Ref, Reviewer: reviewer, Death: d.Case.IncidentKind == "death"})
		if err != nil {
			return nil, true, fmt.Errorf("family letter: %w", err)
		}
		return []cspr.Attachment{{Name: FamilyLetterName(d.Case.Ref), ContentType: DocxType, Data: doc}}, true, nil
	}
	if name != cspr.TmplLCSPRRequest {
		return nil, false, nil
	}
	if d.LCSPR == nil {
		return nil, true, nil
	}
	var spec *parser.FormSpec
	switch d.LCSPR.Kind {
	case cspr.ReturnChronology:
		spec = parser.Spec(parser.KindChronology)
	case cspr.ReturnAgencyReport:
		spec = parser.Spec(parser.KindAgencyReport)
	default:
		return nil, true, nil
	}
	if spec == nil {
		return nil, true, nil
	}
	f := formView(d)
	doc, err := scopingForm(f, formOptions{Partnership: d.Partnership, Spec: spec})
	if err != nil {
		return nil, true, fmt.Errorf("%s form: %w", d.LCSPR.Kind, err)
	}
	return []cspr.Attachment{{Name: LCSPRFormName(f, d.LCSPR.KindLabel), ContentType: DocxType, Data: doc}}, true, nil
}

// LCSPRFormName is the file name of a pre-filled chronology or agency report.
func LCSPRFormName(f cspr.FormView, label string) string {
	name := label + ".docx"
	if a := safeFileName(f.AgencyName); a != "" {
		name = a + " " + name
	}
	if ref := safeFileName(f.CaseRef); ref != "" {
		name = ref + " " + name
	}
	return name
}

// learningInvite is the learning event's iCalendar REQUEST.
func learningInvite(d *cspr.MailData) ([]cspr.Attachment, bool, error) {
	if d.RR == nil || d.RR.Event == nil {
		return nil, true, nil
	}
	ev := d.RR.Event
	method := "REQUEST"
	if ev.Method == "CANCEL" || d.Reason == "cancelled" {
		method = "CANCEL"
	}
	ics, err := Invite(Event{UID: ev.UID, Sequence: ev.Sequence, Method: method, Start: ev.Start, End: ev.End,
		Summary: ev.Summary, Location: ev.Location, Description: "Practitioner learning event of a Child Safeguarding Practice Review. Keep anything you are sent about it confidential.",
		Organizer: ev.Organizer, Attendees: ev.Attendees, Stamp: ev.Stamp})
	if err != nil {
		return nil, true, err
	}
	return []cspr.Attachment{{Name: InviteName, ContentType: ICSType(method), Data: ics}}, true, nil
}
