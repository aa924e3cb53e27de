package templates

import (
	"fmt"
	"strings"
	"time"

	"github.com/lewisham-lscp/csprbot/parser"
	"github.com/lewisham-lscp/csprbot/tracker/cspr"
)

// The Rapid Review report draft (Appendix 5), written from parser.Spec(KindRapidReviewReport)
// as the scoping form is from its spec, so that the completed report reads back as the
// report: the background and Section 1 filled in from the referral and the returns, the
// participants expected from the invitations, and Sections 2 and 3 (the meeting's) left
// empty with every box unticked. Grey notes marked "Draft note" are for the Strategic
// Safeguarding Lead and are to be deleted before the report goes anywhere.

// RRDraftName is the file name of a case's Rapid Review report draft: the reference only.
func RRDraftName(ref string) string {
	if r := safeFileName(ref); r != "" {
		return r + " Rapid Review report DRAFT.docx"
	}
	return "Rapid Review report DRAFT.docx"
}

// draftNote is a grey paragraph for the person completing the report.
func draftNote(d *wml, text string) {
	d.para(`<w:spacing w:before="60" w:after="120"/>`, run{text: "Draft note: " + text, size: 18, color: grey})
}

func heading(d *wml, text string, size int) {
	d.para(`<w:keepNext/><w:spacing w:before="320" w:after="120"/>`, run{text: text, bold: true, size: size})
}

// RRDraft writes the Rapid Review report draft of v as a .docx.
func RRDraft(v *cspr.RRDraftView, p cspr.Partnership) ([]byte, error) {
	spec := parser.Spec(parser.KindRapidReviewReport)
	if spec == nil || v == nil {
		return nil, fmt.Errorf("templates: no Rapid Review report spec or data")
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

	var d wml
	d.para(`<w:jc w:val="right"/>`, run{text: "OFFICIAL-SENSITIVE – DRAFT for the Strategic Safeguarding Lead", size: 18, color: grey, bold: true})
	d.para(`<w:spacing w:after="0"/>`, run{text: p.Name, bold: true, size: 28})
	d.para(`<w:spacing w:after="240"/>`, run{text: "Case reference " + v.CaseRef})
	d.para(`<w:pStyle w:val="Title"/>`, run{text: spec.Title})
	draftNote(&d, "csprbot drafted this from the referral, the agencies' scoping returns and the answers to the meeting invitation. "+
		"Check every entry against the papers; Sections 2 and 3 are the meeting's and are left empty. Delete these grey notes before the report is shared or submitted.")

	heading(&d, "Purpose of the Rapid Review", 24)
	d.para("", run{text: "In line with Working Together, the aim of this rapid review is to enable safeguarding partners to:"})
	for _, s := range []string{"gather the facts about the case, as far as can be readily established;",
		"discuss whether there is any immediate action needed to ensure children’s safety and share any learning appropriately;",
		"consider the potential for identifying improvements to safeguard and promote the welfare of children;",
		"decide what steps to take next, including whether or not to undertake a child safeguarding practice review."} {
		d.para(`<w:ind w:left="360" w:hanging="360"/><w:spacing w:after="60"/>`, run{text: "•\t" + s})
	}

	heading(&d, "Background Information", 24)
	meeting := ""
	if !v.Meeting.IsZero() {
		meeting = ddmmyyyy(v.Meeting)
	}
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["child_name"], v.ChildName)
	fieldRowRR(&d, fields["date_of_rapid_review"], meeting)
	d.raw("</w:tbl>")
	d.para(`<w:spacing w:before="60"/>`, run{text: "(Ideally this should be a face to face meeting but may be a telephone conference if constrained by time)", size: 18, color: grey})

	// Participants: those who accepted, for the meeting to correct.
	pt := tables["participants"]
	heading(&d, pt.Label+":", 22)
	d.para("", run{text: "(To be quorate at least one representative from each of the safeguarding partners needs to be present – i.e. a representative from the ICB, Police and Local Authority)", size: 18, color: grey})
	var rows [][]string
	for _, e := range v.Expected {
		if e.Reply == "accepted" || e.Reply == "tentative" {
			name := e.Name
			if name == "" {
				name = e.Address
			}
			rows = append(rows, []string{name, "", e.Agency})
		}
	}
	tableRR(&d, pt, rows, 4)
	var notes []string
	for _, e := range v.Expected {
		who := e.Address
		if e.Name != "" {
			who = e.Name + " <" + e.Address + ">"
		}
		if e.Agency != "" {
			who += ", " + e.Agency
		}
		notes = append(notes, who+": "+e.Reply)
	}
	if len(notes) > 0 {
		draftNote(&d, "the table lists the invitees who accepted (or tentatively accepted). Strike out anyone who did not take part and add anyone who did: "+
			"csprbot checks the quorum from this table. Invitations and answers: "+strings.Join(notes, "; ")+".")
	} else {
		draftNote(&d, "no invitations are recorded for this meeting: list the participants.")
	}

	heading(&d, "Section 1: Case Background", 24)
	d.para("", run{text: "This should be completed in advance of the Rapid Review meeting.", size: 20, color: grey})
	ft := tables["family_members"]
	heading(&d, "1.1 Details of Family Members and Significant Others", 22)
	familyTableRR(&d, ft, v.Family)
	if len(v.FamilyNamed) > 0 {
		var named []string
		for _, f := range v.FamilyNamed {
			named = append(named, f.Label+" knows "+f.Value)
		}
		draftNote(&d, "the table is the referral's. The returns name these family members: "+strings.Join(named, "; ")+". Add anyone missing.")
	} else if len(v.Family) == 0 {
		draftNote(&d, "the referral lists no family members: complete the table.")
	}

	heading(&d, "1.2 Case Summary", 22)
	d.para("", run{text: "Please provide a brief outline of the child and family circumstances and the incident that triggered this rapid review:", size: 20, color: grey})
	if len(v.Background) > 0 {
		var bits []string
		for _, f := range v.Background {
			bits = append(bits, f.Label+" "+strings.ReplaceAll(f.Value, "\n", ", "))
		}
		d.para("", run{text: "The child (" + v.ChildInitials + "). ", bold: true}, run{text: strings.Join(bits, "; ") + "."})
	}
	for _, f := range v.Summary {
		d.para("", run{text: f.Label + ". ", bold: true}, run{text: f.Value})
	}
	if len(v.Summary) == 0 && len(v.Background) == 0 {
		d.para("")
	}
	draftNote(&d, "taken from the referral as written: shorten it to the outline the National Panel needs.")

	heading(&d, "Documentation available to this Rapid Review:", 22)
	for _, s := range v.Documents {
		d.para(`<w:ind w:left="360" w:hanging="360"/><w:spacing w:after="60"/>`, run{text: "•\t" + s})
	}

	heading(&d, "Section 2: Consideration of Case, Criteria and Guidance", 24)
	d.para("", run{text: "This should be completed during the meeting and agreed by participants.", size: 20, color: grey})
	heading(&d, "2.1 Immediate Action", 22)
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["immediate_action"], "")
	fieldRowRR(&d, fields["immediate_action_details"], "")
	d.raw("</w:tbl>")
	heading(&d, "2.2 Identifying Improvements to Safeguard and Promote the Welfare of Children", 22)
	choiceBlock(&d, fields["criteria"])
	heading(&d, "2.3 Rapid Review Discussions", 22)
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["discussion"], "")
	fieldRowRR(&d, fields["legal_advice"], "")
	d.raw("</w:tbl>")
	heading(&d, "2.4 Learning and Dissemination", 22)
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["learning_dissemination"], "")
	d.raw("</w:tbl>")

	heading(&d, "Section 3: Recommendation", 24)
	choiceBlock(&d, fields["recommendation"])
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["recommendation_other"], "")
	d.raw("</w:tbl>")
	d.para(`<w:spacing w:before="240"/>`, run{text: "Definition of terms", bold: true})
	d.para("", run{text: "Review: Is an evaluation designed to identify potential service delivery and procedural improvements.", size: 20})
	d.para("", run{text: "Audit: The process of systematic examination carried out to assess how successfully processes have been implemented.", size: 20})
	d.raw(tblStart(labelW, textW-labelW))
	fieldRowRR(&d, fields["rationale"], "")
	fieldRowRR(&d, fields["date_submitted_to_panel"], "")
	d.raw("</w:tbl>")

	return pack(map[string]string{
		"[Content_Types].xml":          contentTypes,
		"_rels/.rels":                  rootRels,
		"word/_rels/document.xml.rels": docRels,
		"word/styles.xml":              styles,
		"word/settings.xml":            settings,
		"docProps/core.xml":            coreXML("Rapid Review report draft – "+v.CaseRef, p.Name),
		"word/document.xml":            documentXML(d.String()),
	})
}

// fieldRowRR is one label | answer row of the report: value pre-filled, or the empty
// answer the field's type asks for (boxes unticked, room to write).
func fieldRowRR(d *wml, fs parser.FieldSpec, value string) {
	if fs.Key == "" {
		return
	}
	label := []string{paraXML("", run{text: fs.Label, bold: true})}
	if fs.Hint != "" {
		label = append(label, paraXML(`<w:spacing w:before="40"/>`, run{text: "(" + fs.Hint + ")", size: 18, color: grey}))
	}
	var cell []string
	height := 0
	switch {
	case value != "":
		for _, l := range strings.Split(value, "\n") {
			cell = append(cell, paraXML("", run{text: l}))
		}
	case fs.Type == parser.YesNo:
		cell = []string{paraXML("", checkbox(), run{text: " Yes      "}, checkbox(), run{text: " No"})}
	case fs.Type == parser.Choice || fs.Type == parser.MultiChoice:
		for _, op := range fs.Options {
			label := op.Label
			if fs.Type == parser.Choice && len(op.Key) == 1 {
				label = op.Key + ") " + label
			}
			cell = append(cell, paraXML(`<w:spacing w:after="40"/>`, checkbox(), run{text: " " + label}))
		}
	case fs.Type == parser.Long:
		cell = []string{paraXML("")}
		height = 1700
	default:
		cell = []string{paraXML("")}
	}
	d.raw(rowXML(height, false, cellXML(labelW, shade, label...), cellXML(textW-labelW, "", cell...)))
}

// choiceBlock writes a question whose answer is boxes to tick as the official form does:
// the question, then each option on its own line with its box (as the parser reads them).
func choiceBlock(d *wml, fs parser.FieldSpec) {
	label := []string{paraXML("", run{text: fs.Label, bold: true})}
	if fs.Hint != "" {
		label = append(label, paraXML(`<w:spacing w:before="40"/>`, run{text: "(" + fs.Hint + ")", size: 18, color: grey}))
	}
	d.raw(tblStart(labelW, textW-labelW))
	d.raw(rowXML(0, false, cellXML(labelW, shade, label...), cellXML(textW-labelW, "", paraXML(""))))
	d.raw("</w:tbl>")
	for _, op := range fs.Options {
		label := op.Label
		if fs.Type == parser.Choice && len(op.Key) == 1 {
			label = op.Key + ") " + label
		}
		d.para(`<w:ind w:left="567" w:hanging="567"/><w:spacing w:after="60"/>`, checkbox(), run{text: "\t" + label})
	}
}

// tableRR writes a table of the spec with its header row, the given rows and spare
// empty ones.
func tableRR(d *wml, ts parser.TableSpec, rows [][]string, spare int) {
	cols := ts.Columns
	widths := columnWidths(parser.TableSpec{Columns: cols})
	d.raw(tblStart(widths...))
	var head []string
	for i, c := range cols {
		head = append(head, cellXML(widths[i], shade, paraXML("", run{text: c.Label, bold: true})))
	}
	d.raw(rowXML(0, true, head...))
	for _, r := range rows {
		var cells []string
		for i := range cols {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			cells = append(cells, cellXML(widths[i], "", paraXML("", run{text: v})))
		}
		d.raw(rowXML(0, false, cells...))
	}
	for range spare {
		var cells []string
		for i := range cols {
			cells = append(cells, cellXML(widths[i], "", paraXML("")))
		}
		d.raw(rowXML(500, false, cells...))
	}
	d.raw("</w:tbl>")
}

// familyTableRR writes 1.1 as the form prints it: its columns but the group, with the
// immediate and the extended family under their own heading rows.
func familyTableRR(d *wml, ts parser.TableSpec, family []map[string]string) {
	var cols []parser.FieldSpec
	for _, c := range ts.Columns {
		if c.Key != ts.GroupColumn {
			cols = append(cols, c)
		}
	}
	widths := columnWidths(parser.TableSpec{Columns: cols})
	d.raw(tblStart(widths...))
	var head []string
	for i, c := range cols {
		head = append(head, cellXML(widths[i], shade, paraXML("", run{text: c.Label, bold: true})))
	}
	d.raw(rowXML(0, true, head...))
	span := func(text string) string {
		return `<w:tc><w:tcPr><w:tcW w:w="` + fmt.Sprint(textW) + `" w:type="dxa"/><w:gridSpan w:val="` + fmt.Sprint(len(cols)) +
			`"/><w:shd w:val="clear" w:color="auto" w:fill="` + shade + `"/></w:tcPr>` + paraXML("", run{text: text, bold: true}) + `</w:tc>`
	}
	for _, g := range ts.Groups {
		d.raw(rowXML(0, false, span(g.Label)))
		n := 0
		for _, row := range family {
			grp := row[ts.GroupColumn]
			if grp == "" {
				grp = ts.Groups[0].Key
			}
			if grp != g.Key {
				continue
			}
			var cells []string
			for i, c := range cols {
				cells = append(cells, cellXML(widths[i], "", paraXML("", run{text: row[c.Key]})))
			}
			d.raw(rowXML(0, false, cells...))
			n++
		}
		for range max(1, 2-n) {
			var cells []string
			for i := range cols {
				cells = append(cells, cellXML(widths[i], "", paraXML("")))
			}
			d.raw(rowXML(500, false, cells...))
		}
	}
	d.raw("</w:tbl>")
}

// draftAttachments are the documents the draft emails carry. ok is false for other emails.
func draftAttachments(name string, d *cspr.MailData) ([]cspr.Attachment, bool, error) {
	switch name {
	case cspr.TmplRRDraft:
		if d.Draft == nil || d.Draft.RR == nil {
			return nil, true, nil
		}
		doc, err := RRDraft(d.Draft.RR, d.Partnership)
		if err != nil {
			return nil, true, err
		}
		return []cspr.Attachment{{Name: RRDraftName(d.Case.Ref), ContentType: DocxType, Data: doc}}, true, nil
	case cspr.TmplToRDraft:
		if d.Draft == nil || d.Draft.ToR == nil {
			return nil, true, nil
		}
		doc, err := ToRDraft(d.Draft.ToR, d.Partnership)
		if err != nil {
			return nil, true, err
		}
		return []cspr.Attachment{{Name: ToRDraftName(d.Case.Ref), ContentType: DocxType, Data: doc}}, true, nil
	case cspr.TmplPanelPack:
		if d.Draft == nil || d.Draft.Pack == nil {
			return nil, true, nil
		}
		doc, err := PanelPack(d.Draft.Pack, d.Partnership)
		if err != nil {
			return nil, true, err
		}
		return []cspr.Attachment{{Name: PanelPackName(d.Case.Ref), ContentType: DocxType, Data: doc}}, true, nil
	case cspr.TmplChronology:
		if d.Draft == nil || d.Draft.Chronology == nil {
			return nil, true, nil
		}
		doc, err := ChronologyDocx(d.Draft.Chronology, d.Partnership)
		if err != nil {
			return nil, true, err
		}
		return []cspr.Attachment{{Name: ChronologyName(d.Case.Ref), ContentType: DocxType, Data: doc}}, true, nil
	}
	return nil, false, nil
}

// sampleDraft fills every draft field for the trial render at start-up.
func sampleDraft() *cspr.DraftView {
	at := time.Date(2026, 12, 15, 10, 0, 0, 0, time.UTC)
	return &cspr.DraftView{
		Note: "sample note",
		RR: &cspr.RRDraftView{CaseRef: "LSCP-2026-000", ChildInitials: "XY", ChildName: "Sample Child", Meeting: at,
			Background: []cspr.Field{{Label: "Date of birth", Value: "2020-01-01"}}, Summary: []cspr.Field{{Label: "Sample", Value: "sample"}},
			Family:      []map[string]string{{"name_address": "Sample Parent", "relationship": "Mother", "group": "immediate"}},
			FamilyNamed: []cspr.Field{{Label: "Sample Agency", Value: "Sample Parent"}}, Documents: []string{"Referral"},
			Expected: []cspr.ExpectedParticipant{{Name: "Sample", Address: "lead@agency.example", Agency: "Sample Agency", Partner: "police", Reply: "accepted"}}},
		ToR: &cspr.ToRDraftView{CaseRef: "LSCP-2026-000", ChildInitials: "XY", DecisionAt: at, RapidReviewFeedback: "sample", IncidentOutline: "sample",
			CaseHistory: "sample", Agencies: []cspr.AgencyView{{Name: "Sample Agency", Email: "lead@agency.example"}},
			Timetable: []cspr.ToRRow{{Action: "sample", Responsible: "sample", Due: at}}, LeadReviewer: "Sample Reviewer", LeadReviewerEmail: "reviewer@example.org"},
		Pack: &cspr.PanelPackView{CaseRef: "LSCP-2026-000", ChildInitials: "XY", Meeting: "Panel meeting", At: at, ToR: []cspr.Field{{Label: "Themes", Value: "sample"}},
			ToRStatus: "confirmed", Timetable: []cspr.ToRRow{{Action: "sample", Responsible: "sample", Due: at}}, Chronology: &cspr.ChronologyView{CaseRef: "LSCP-2026-000"},
			Reports:     []cspr.AgencyReportView{{Agency: "Sample Agency", Name: "r.docx", Received: at, Fields: []cspr.Field{{Label: "Summary", Value: "sample"}}, Actions: []map[string]string{{"issue": "sample"}}}},
			Outstanding: []string{"sample"}},
		Chronology: &cspr.ChronologyView{CaseRef: "LSCP-2026-000", ChildInitials: "XY", Generated: at, PeriodFrom: "2026-01-01", PeriodTo: "2026-12-01",
			PeriodNote: "sample", Missing: []string{"Other Agency"},
			Entries: []cspr.ChronEntry{{Date: "2026-02-01", Agency: "Sample Agency", Source: "chronology", Who: "sample", What: "sample", Outcome: "sample", Same: []string{"Other"}}},
			Undated: []cspr.ChronEntry{{Date: "spring", Agency: "Sample Agency", Source: "scoping return", What: "sample"}},
			Sources: []cspr.ChronSource{{Agency: "Sample Agency", Kind: "chronology", Name: "c.docx", Received: at, Entries: 1}}},
	}
}
