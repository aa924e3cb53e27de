package templates

import (
	"fmt"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The Terms of Reference draft (Appendix 6), written from parser.Spec(KindTermsOfReference)
// so that, amended and sent back, it reads as the Terms of Reference: 1.0–3.0 from the Rapid
// Review and the referral, an outline timetable proposed from the decision, the agencies
// whose returns said they knew the child or family; the rest left for the subgroup.

// ToRDraftName is the file name of a case's Terms of Reference draft: the reference only.
func ToRDraftName(ref string) string {
	if r := safeFileName(ref); r != "" {
		return r + " Terms of Reference DRAFT.docx"
	}
	return "Terms of Reference DRAFT.docx"
}

// ToRDraft writes the Terms of Reference draft of v as a .docx.
func ToRDraft(v *cspr.ToRDraftView, p cspr.Partnership) ([]byte, error) {
	spec := parser.Spec(parser.KindTermsOfReference)
	if spec == nil || v == nil {
		return nil, fmt.Errorf("templates: no Terms of Reference spec or data")
	}
	if p.Name == "" {
		p = lewisham
	}
	fields := map[string]parser.FieldSpec{}
	for _, f := range spec.Fields {
		fields[f.Key] = f
	}
	tables := map[string]parser.TableSpec{}
	for _, ts := range spec.Tables {
		tables[ts.Name] = ts
	}
	rows := func(d *wml, keys []string, values map[string]string) {
		d.raw(tblStart(labelW, textW-labelW))
		for _, k := range keys {
			fieldRowRR(d, fields[k], values[k])
		}
		d.raw("</w:tbl>")
	}

	var d wml
	d.para(`<w:jc w:val="right"/>`, run{text: "OFFICIAL-SENSITIVE – DRAFT for the Learning from Practice subgroup", size: 18, color: grey, bold: true})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	d.para(`<w:pStyle w:val="Title"/>`, run{text: spec.Title})
	draftNote(&d, "csprbot drafted this from the referral, the Rapid Review report and the agencies' scoping returns when the local review was decided. "+
		"Amend it, complete the sections left empty, and send it back by reply: csprbot reads it, tells you what it will do, and acts on \"Confirm terms\". "+
		"Delete these grey notes before it is shared.")
	rows(&d, []string{"case_ref", "child_initials"}, map[string]string{"case_ref": v.CaseRef, "child_initials": v.ChildInitials})

	heading(&d, "1.0 – 3.0 Background", 24)
	rows(&d, []string{"rapid_review_feedback", "incident_outline", "case_history"}, map[string]string{
		"rapid_review_feedback": v.RapidReviewFeedback, "incident_outline": v.IncidentOutline, "case_history": v.CaseHistory})

	heading(&d, "Scope of Review", 24)
	rows(&d, []string{"review_period_from", "review_period_to", "themes", "key_lines_of_enquiry", "methodology"}, nil)

	tt := tables["timetable"]
	heading(&d, "7.0 "+tt.Label, 24)
	var trs [][]string
	for _, r := range v.Timetable {
		trs = append(trs, []string{r.Action, r.Responsible, ddmmyyyy(r.Due), ""})
	}
	tableRR(&d, tt, trs, 2)
	if len(v.Timetable) > 0 {
		draftNote(&d, "proposed from the date the local review was decided ("+Date(v.DecisionAt)+"): publication within six months, the final report seven working days before it; "+
			"the steps between are spaced as a suggestion. Change any date: the timetable you send back is the one csprbot follows.")
	}

	pt := tables["panel"]
	heading(&d, "8.0 "+pt.Label, 24)
	tableRR(&d, pt, nil, 4)

	heading(&d, "9.0 Commissioning Child Safeguarding Practice Review Lead Reviewer", 24)
	rows(&d, []string{"lead_reviewer", "lead_reviewer_email"}, map[string]string{"lead_reviewer": v.LeadReviewer, "lead_reviewer_email": v.LeadReviewerEmail})

	at := tables["agencies"]
	heading(&d, "11.0 Chronologies & Agency Reports", 24)
	d.para("", run{text: "A key incident chronology is requested from each organisation. " + at.Label + ":"})
	var ars [][]string
	for _, a := range v.Agencies {
		ars = append(ars, []string{a.Name, "", a.Email})
	}
	tableRR(&d, at, ars, 2)
	if len(v.Agencies) > 0 {
		draftNote(&d, "these are the agencies whose scoping returns said they knew the child or the family; add or remove as the subgroup decides.")
	}

	heading(&d, "12.0 – 14.0", 24)
	rows(&d, []string{"parallel_investigations", "family_engagement", "publication_plan"}, nil)

	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML("Terms of Reference draft – "+v.CaseRef, p.Name),
		"word/document.xml":            documentXML(d.String()),
	})
}
