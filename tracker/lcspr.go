package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The local review's staff email commands (process.md stages 10–16), each the twin of a
// `csprbot case REF …` command (cli.md, "The local review and after"):
//
//	Decision: local|national|alternative|none [YYYY-MM-DD]
//	Panel decision: national|local [YYYY-MM-DD]
//	Reviewer: NAME [<address>]
//	Request chronology: [AGENCY, AGENCY…] by YYYY-MM-DD
//	Request agency report: [AGENCY, AGENCY…] by YYYY-MM-DD
//	More information: AGENCY by YYYY-MM-DD: what is missing
//	Approve [WHAT]
var lcsprVerbs = map[string]bool{
	"decision": true, "panel decision": true, "reviewer": true, "lead reviewer": true,
	"request chronology": true, "request chronologies": true, "request agency report": true, "request agency reports": true,
	"more information": true, "confirm terms": true, "final report": true, "published": true,
	"signed off": true, "sign off": true, "publication delay": true,
	"learning event": true, "cancel learning event": true, "family letter": true, "status": true, "digest": true,
}

// LCSPRCommandHelp lists the local review's commands, for replies.
const LCSPRCommandHelp = `Decision: local|national|alternative|none [YYYY-MM-DD] | Panel decision: national|local | Reviewer: NAME [<address>] | Request chronology: [AGENCY, …] by YYYY-MM-DD | Request agency report: [AGENCY, …] by YYYY-MM-DD | More information: AGENCY by YYYY-MM-DD: WHAT | Confirm terms (after sending the Terms of Reference) | Final report: publish YYYY-MM-DD [force] (the report attached) | Published: [YYYY-MM-DD] [URL] | Signed off: A1, A2 (or all) | Publication delay: REASON | Learning event: YYYY-MM-DD HH:MM [at VENUE or link] | Cancel learning event | Family letter | Status | Digest`

func (t *Tracker) lcsprCommand(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, verb, arg, actor string) (string, error) {
	loc := t.cal.Location()
	switch verb {
	case "decision", "panel decision":
		fs := strings.Fields(arg)
		if len(fs) == 0 {
			return "", fmt.Errorf("%w: write Decision: local|national|alternative|none [YYYY-MM-DD]", ErrRefused)
		}
		var at time.Time
		if len(fs) > 1 {
			d, err := ParseLondonDate(strings.Join(fs[1:], " "), loc)
			if err != nil {
				return "", fmt.Errorf("%w: %v", ErrRefused, err)
			}
			at = t.doneOn(d, now)
		}
		if verb == "panel decision" {
			var awaiting bool
			if err := tx.QueryRowContext(ctx, `SELECT awaiting_panel FROM cases WHERE id = ?`, c.id).Scan(&awaiting); err != nil {
				return "", err
			}
			if !awaiting {
				return "", fmt.Errorf("%w: %s is not waiting for the National Panel's answer (no national review was recommended to it)", ErrRefused, c.ref)
			}
		}
		res, err := t.decide(ctx, tx, now, c, fs[0], at, actor)
		if err != nil {
			return "", err
		}
		return DecisionDone(res, loc), nil
	}
	return t.lcsprCommand2(ctx, tx, now, c, verb, arg, actor)
}

// approveWhat approves what is held for approval on the case: the Rapid Review
// submission and every notice to a national body (what ""), or the one named.
func (t *Tracker) approveWhat(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, what, actor string) (string, error) {
	what = strings.ToLower(strings.Join(strings.Fields(what), " "))
	var out []string
	if what == "" || what == "submission" || what == "rapid review" || what == "rr_submission" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status = 'awaiting_approval'`, c.id).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 || what != "" {
			res, err := t.approve(ctx, tx, now, c, actor)
			if err != nil {
				return "", err
			}
			out = append(out, approvalDone(res))
			if c, err = loadCase(ctx, tx, "id = ?", c.id); err != nil {
				return "", err
			}
		}
	}
	if what == "" || what != "submission" {
		done, err := t.approveNotices(ctx, tx, now, c, what, actor)
		if err != nil && (what != "" || !errors.Is(err, ErrRefused)) {
			return "", err
		}
		out = append(out, done...)
	}
	if len(out) == 0 {
		var done int
		_ = tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM submissions WHERE case_id = ?1 AND status = 'approved') + (SELECT count(*) FROM national_notices WHERE case_id = ?1 AND status = 'approved')`, c.id).Scan(&done)
		if done > 0 {
			return "", fmt.Errorf("%w: nothing on %s is waiting for approval (what was approved is not sent twice)", ErrRefused, c.ref)
		}
		return "", fmt.Errorf("%w: %s has nothing waiting for approval", ErrRefused, c.ref)
	}
	return strings.Join(out, "; "), nil
}

func (t *Tracker) lcsprCommand2(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, verb, arg, actor string) (string, error) {
	loc := t.cal.Location()
	switch verb {
	case "reviewer", "lead reviewer":
		name, addr, err := agencyArg(arg)
		if err != nil || name == "" {
			return "", fmt.Errorf("%w: write Reviewer: NAME [<address>]", ErrRefused)
		}
		return t.setReviewer(ctx, tx, now, c, name, addr, actor)
	case "request chronology", "request chronologies", "request agency report", "request agency reports":
		kind := ReturnChronology
		if strings.Contains(verb, "agency report") {
			kind = ReturnAgencyReport
		}
		i := strings.LastIndex(strings.ToLower(" "+arg), " by ")
		if i < 0 {
			return "", fmt.Errorf("%w: write %s: [AGENCY, AGENCY…] by YYYY-MM-DD", ErrRefused, verb)
		}
		list, date := "", arg
		if i > 0 {
			list, date = arg[:i-1], arg[i+3:]
		} else {
			date = arg[3:]
		}
		d, err := ParseLondonDate(date, loc)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		var agencies []string
		for _, a := range strings.Split(list, ",") {
			if a = strings.TrimSpace(a); a != "" {
				agencies = append(agencies, a)
			}
		}
		res, err := t.requestReturns(ctx, tx, now, c, kind, agencies, d, actor)
		if err != nil {
			return "", err
		}
		return RequestDone(res, loc), nil
	case "final report":
		// [publish] YYYY-MM-DD [force], the report attached to the message
		fs := strings.Fields(arg)
		force := len(fs) > 0 && strings.EqualFold(fs[len(fs)-1], "force")
		if force {
			fs = fs[:len(fs)-1]
		}
		if len(fs) > 0 && strings.EqualFold(fs[0], "publish") {
			fs = fs[1:]
		}
		d, err := ParseLondonDate(strings.Join(fs, " "), loc)
		if err != nil {
			return "", fmt.Errorf("%w: write Final report: publish YYYY-MM-DD [force], with the report attached: %v", ErrRefused, err)
		}
		report, err := finalReportAttachment(incomingFrom(ctx))
		if err != nil {
			return "", err
		}
		res, err := t.finalReport(ctx, tx, now, c, report, d, force, actor)
		if err != nil {
			return "", err
		}
		return "the file taken as the final report: " + report.Name + "; " + FinalReportDone(res, loc), nil
	case "published":
		var day time.Time
		var url string
		for _, w := range strings.Fields(arg) {
			if d, err := ParseLondonDate(w, loc); err == nil {
				day = d
			} else {
				url = w
			}
		}
		return t.published(ctx, tx, now, c, day, url, actor)
	case "digest":
		d, err := t.Digest(ctx, now)
		if err != nil {
			return "", err
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{tmpl: TmplDigest, to: []string{actor}, data: d}); err != nil {
			return "", err
		}
		return fmt.Sprintf("the digest as it stands now (%d open cases) is on its way to you", len(d.Digest.Cases)), nil
	case "status":
		lines, err := t.timeline(ctx, tx, now, c)
		if err != nil {
			return "", err
		}
		return "the case's journey:\n" + strings.Join(lines, "\n"), nil
	case "learning event":
		fs := strings.Fields(arg)
		if len(fs) < 2 {
			return "", fmt.Errorf("%w: write Learning event: YYYY-MM-DD HH:MM [at VENUE or link]", ErrRefused)
		}
		at, err := ParseLondonTime(fs[0]+" "+fs[1], loc)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		venue := strings.Join(fs[2:], " ")
		if len(fs) > 2 && (strings.EqualFold(fs[2], "at") || strings.EqualFold(fs[2], "venue")) {
			venue = strings.Join(fs[3:], " ")
		}
		res, err := t.setLearningEvent(ctx, tx, now, c, at, venue, actor)
		if err != nil {
			return "", err
		}
		return LearningDone(res, loc), nil
	case "family letter":
		return t.sendFamilyLetter(ctx, tx, now, c, actor)
	case "cancel learning event":
		res, err := t.cancelLearningEvent(ctx, tx, now, c, actor)
		if err != nil {
			return "", err
		}
		return LearningCancelled(res, loc), nil
	case "publication delay":
		if c.stage != StageLCSPR {
			// The notice that publication will be late is a local review's (its six months
			// from the decision); an alternative review sends no notices to national bodies,
			// and a case at any other stage has no local review to publish.
			why := "no local review was decided (Decision: local)"
			if c.stage == StageAlternative {
				why = "it is an alternative learning review, which sends no notices to the National Panel or the Secretary of State"
			}
			return "", fmt.Errorf("%w: %s is at stage %s: %s; no notice of late publication is prepared", ErrRefused, c.ref, c.stage, why)
		}
		if strings.TrimSpace(arg) == "" {
			return "", fmt.Errorf("%w: say why: Publication delay: REASON", ErrRefused)
		}
		var publish sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT publish_on FROM cases WHERE id = ?`, c.id).Scan(&publish); err != nil {
			return "", err
		}
		if err := t.prepareDelay(ctx, tx, now, c.id, parseTS(publish), strings.TrimSpace(arg)); err != nil {
			return "", err
		}
		return "the notice to the National Panel and the Secretary of State that publication will be late is prepared, with your reason; it waits for approval (Approve: delay)", nil
	case "signed off", "sign off":
		return t.signOff(ctx, tx, now, c, arg, actor)
	case "confirm terms":
		res, err := t.confirmToR(ctx, tx, now, c, actor)
		if err != nil {
			return "", err
		}
		return "Terms of Reference confirmed: " + strings.Join(ToRDone(res, loc), "; "), nil
	case "more information":
		// AGENCY by DATE: what is missing
		head, what, _ := strings.Cut(arg, ":")
		i := strings.LastIndex(strings.ToLower(head), " by ")
		if i < 0 || strings.TrimSpace(what) == "" {
			return "", fmt.Errorf("%w: write More information: AGENCY by YYYY-MM-DD: what is missing", ErrRefused)
		}
		d, err := ParseLondonDate(head[i+4:], loc)
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrRefused, err)
		}
		return t.more(ctx, tx, now, c, strings.TrimSpace(head[:i]), d, what, actor)
	}
	return "", fmt.Errorf("%w: unknown command", ErrRefused)
}

// reportTypes are the documents a final report comes as, by the name's ending and by
// content type.
var reportTypes = []struct{ ext, ctype string }{
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{".pdf", "application/pdf"},
	{".odt", "application/vnd.oasis.opendocument.text"},
	{".doc", "application/msword"},
}

// isReportDocument reports whether an attachment is a document a final report may be:
// Word, PDF or OpenDocument text, by its name or, when the name has no such ending, its
// content type. Images (an Outlook signature's image001.png, a logo) never are.
func isReportDocument(a *Attachment) bool {
	name := strings.ToLower(strings.TrimSpace(a.Name))
	ct := strings.ToLower(strings.TrimSpace(a.ContentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if strings.HasPrefix(ct, "image/") {
		return false
	}
	for _, r := range reportTypes {
		if strings.HasSuffix(name, r.ext) {
			return true
		}
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 && i > len(name)-6 {
		return false // another kind of file by its name (.png, .xlsx, .ics…)
	}
	for _, r := range reportTypes {
		if ct == r.ctype {
			return true
		}
	}
	return false
}

// finalReportAttachment is the final report among a staff message's attachments: the one
// Word, PDF or OpenDocument file that is not a Terms of Reference or a Rapid Review
// report, whatever else the message carries (signature logos and inline images come
// first in Outlook's mail). None, or more than one, is refused naming the files, so that
// nothing but the report goes to the national bodies.
func finalReportAttachment(in *Incoming) (*Attachment, error) {
	if in == nil {
		return nil, fmt.Errorf("%w: attach the final report", ErrRefused)
	}
	var found []*Attachment
	var all []string
	for i := range in.Attachments {
		a := &in.Attachments[i]
		all = append(all, orNone(a.Name))
		if a.Form != nil && (a.Form.Kind == FormTermsOfReference || a.Form.Kind == FormRapidReview) {
			continue
		}
		if isReportDocument(&a.Attachment) {
			found = append(found, &a.Attachment)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if len(all) == 0 {
			return nil, fmt.Errorf("%w: attach the final report (a .docx, .pdf, .odt or .doc file)", ErrRefused)
		}
		return nil, fmt.Errorf("%w: none of the files attached is a report document (.docx, .pdf, .odt or .doc): %s; attach the final report", ErrRefused, strings.Join(all, ", "))
	}
	var names []string
	for _, a := range found {
		names = append(names, orNone(a.Name))
	}
	return nil, fmt.Errorf("%w: %d files attached could each be the final report (%s); send the command again with the final report as the only document attached", ErrRefused, len(found), strings.Join(names, ", "))
}

// RequestDone is a request as one line, for replies and the command line.
func RequestDone(res RequestResult, loc *time.Location) string {
	s := fmt.Sprintf("%s requested from %d agencies", strings.ReplaceAll(res.Kind, "_", " "), len(res.Requested))
	if len(res.Requested) > 0 {
		s += " (" + strings.Join(res.Requested, ", ") + ")"
	}
	if !res.Due.IsZero() {
		s += ", due " + res.Due.In(loc).Format("15:04 Mon 2 Jan 2006")
	}
	if len(res.Already) > 0 {
		s += "; already asked: " + strings.Join(res.Already, ", ")
	}
	if len(res.Unknown) > 0 {
		s += "; no address csprbot may use, send by hand or Add agency: NAME <address>: " + strings.Join(res.Unknown, ", ")
	}
	return s
}

// SetReviewer records the lead reviewer of a local review and prepares the notice naming
// them to the National Panel, Ofsted and the DfE, held for approval (reviewer_notification).
// email is an address the staff member gives (csprbot case REF reviewer NAME --email).
func (t *Tracker) SetReviewer(ctx context.Context, ref, name, email, actor string) (string, error) {
	return onCase(ctx, t, ref, "reviewer", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.setReviewer(ctx, tx, now, c, name, email, actor)
	})
}

// setReviewer names the lead reviewer with an address a staff member gave (Reviewer: NAME
// <address>, or the command line's --email): the notice may carry it.
func (t *Tracker) setReviewer(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, name, email, actor string) (string, error) {
	return t.appointReviewer(ctx, tx, now, c, name, email, true, actor)
}

// setReviewerFromForm names the lead reviewer a Terms of Reference give. The form's
// "Lead reviewer email" is typed into a document, never vouched for: it is not recorded,
// nor given to the National Panel, Ofsted or the DfE, unless it is the directory's or
// staff's, or staff added it to the case; the answer says so, and how to give it.
func (t *Tracker) setReviewerFromForm(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, name, formEmail, actor string) (string, error) {
	return t.appointReviewer(ctx, tx, now, c, name, formEmail, false, actor)
}

// reviewerAddrKnown reports whether an address read from a form is one csprbot already
// knows for someone: staff, the directory's, or one staff added to the case by command.
func (t *Tracker) reviewerAddrKnown(ctx context.Context, tx *sql.Tx, caseID int64, addr string) (bool, error) {
	if _, ok := t.cfg.isStaff(addr); ok {
		return true, nil
	}
	if _, ok := t.cfg.agencyByEmail(addr); ok {
		return true, nil
	}
	return t.staffVouched(ctx, tx, caseID, addr)
}

// reviewerTitles are the titles a lead reviewer's name may carry or not, from one
// document to the next: "Dr Jo Reviewer" is Jo Reviewer.
var reviewerTitles = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "prof": true, "professor": true}

// reviewerKey is a lead reviewer's name as compared: without titles, case, punctuation
// or spacing.
func reviewerKey(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
	for len(words) > 1 && reviewerTitles[words[0]] {
		words = words[1:]
	}
	return strings.Join(words, "")
}

// sameReviewer reports whether two lead reviewer names are the same person's, ignoring
// titles, case, punctuation and spacing.
func sameReviewer(a, b string) bool { return reviewerKey(a) == reviewerKey(b) }

func (t *Tracker) appointReviewer(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, name, email string, given bool, actor string) (string, error) {
	if c.stage != StageLCSPR {
		return "", fmt.Errorf("%w: %s is at stage %s: the lead reviewer is named for a local review (Decision: local)", ErrRefused, c.ref, c.stage)
	}
	name = strings.TrimSpace(name)
	var old, oldEmail string
	var decided sql.NullString
	var decision string
	if err := tx.QueryRowContext(ctx, `SELECT lead_reviewer, lead_reviewer_email, decision, decision_at FROM cases WHERE id = ?`, c.id).Scan(&old, &oldEmail, &decision, &decided); err != nil {
		return "", err
	}
	var sent int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM national_notices WHERE case_id = ? AND what = ? AND status = 'approved'`, c.id, NoticeReviewer).Scan(&sent); err != nil {
		return "", err
	}
	same := old != "" && sameReviewer(old, name)
	if sent > 0 && same {
		return "", fmt.Errorf("%w: %s was already named to the National Panel, Ofsted and the DfE; it is not sent twice", ErrRefused, name)
	}
	addr, note := normAddr(email), ""
	if !given && addr != "" {
		known, err := t.reviewerAddrKnown(ctx, tx, c.id, addr)
		if err != nil {
			return "", err
		}
		if !known {
			note = fmt.Sprintf("; the lead reviewer's address the Terms of Reference give (%s) is not used, nor given to the national bodies, until a staff member gives it: Reviewer: %s <%s>", addr, name, addr)
			addr = ""
		}
	}
	if addr == "" && !given && same {
		addr = normAddr(oldEmail) // the same person: the address staff gave before stays
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET lead_reviewer = ?, lead_reviewer_email = ? WHERE id = ?`, name, addr, c.id); err != nil {
		return "", err
	}
	if err := t.setDeadline(ctx, tx, c.id, "reviewer_notification", "", map[Anchor]time.Time{AnchorAppointed: now}); err != nil {
		return "", err
	}
	a := t.cfg.Addresses
	lv := &LCSPRView{Reviewer: name, ReviewerEmail: addr, Decision: decision, DecisionAt: parseTS(decided)}
	if _, err := t.prepareNotice(ctx, tx, now, c.id, NoticeReviewer, []string{a.NationalPanel, a.Ofsted, a.DfE}, lv, nil); err != nil {
		return "", err
	}
	out := "lead reviewer recorded; the notice to the National Panel, Ofsted and the DfE is prepared and waits for approval (Approve: reviewer)" + note
	return out, audit(ctx, tx, now, c.id, actor, "reviewer", "lead reviewer appointed by "+actor)
}

// ApproveWhat approves what is held for approval on the case (what "": all of it; or
// submission, reviewer, final report, nspcc, delay): csprbot case REF approve [WHAT].
func (t *Tracker) ApproveWhat(ctx context.Context, ref, what, actor string) (string, error) {
	return onCase(ctx, t, ref, "approve", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		out, err := t.approveWhat(ctx, tx, now, c, what, actor)
		if err != nil {
			return out, err
		}
		return out, t.holdUnapproved(ctx, tx, now)
	})
}

// SubmissionWaiting reports whether a case has a Rapid Review submission waiting for
// approval.
func (t *Tracker) SubmissionWaiting(ctx context.Context, ref string) (bool, error) {
	return onCase(ctx, t, ref, "approve", func(tx *sql.Tx, now time.Time, c caseRow) (bool, error) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status = 'awaiting_approval'`, c.id).Scan(&n)
		return n > 0, err
	})
}

// torCommand reads Terms of Reference a staff member attached: kept as proposed, with what
// csprbot read, until the staff member replies Confirm terms.
func (t *Tracker) torCommand(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, f *Form, actor string) (string, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return "", err
	}
	res, err := t.termsOfReference(ctx, tx, now, c, f, false, actor)
	if err != nil {
		return "", err
	}
	return "read: " + strings.Join(ToRDone(res, t.cal.Location()), "; "), nil
}

type incomingKey struct{}

// withIncoming carries the staff message whose commands are being run, for a command that
// takes its attachment.
func withIncoming(ctx context.Context, in *Incoming) context.Context {
	return context.WithValue(ctx, incomingKey{}, in)
}

func incomingFrom(ctx context.Context) *Incoming {
	in, _ := ctx.Value(incomingKey{}).(*Incoming)
	return in
}

// planCommand reads the action plan a staff member attached and asks each owner for evidence.
func (t *Tracker) planCommand(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, f *Form, actor string) (string, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return "", err
	}
	res, err := t.actionPlan(ctx, tx, now, c, f, actor)
	if err != nil {
		return "", err
	}
	return ActionPlanDone(res), nil
}

// FamilyLetterInfo is what the family letter (Appendix 7) needs from a local review: the
// lead reviewer, and whether the child died. The letter is a document for the lead
// reviewer to complete and send by hand; csprbot never writes to a family. The audit
// records that it was made.
func (t *Tracker) FamilyLetterInfo(ctx context.Context, ref, actor string) (reviewer string, death bool, err error) {
	_, err = onCase(ctx, t, ref, "family letter", func(tx *sql.Tx, now time.Time, c caseRow) (bool, error) {
		reviewer, death, err = t.familyLetterInfo(ctx, tx, now, c, actor)
		return err == nil, err
	})
	return reviewer, death, err
}

func (t *Tracker) familyLetterInfo(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (reviewer string, death bool, err error) {
	if err := lcsprOpen(c); err != nil {
		return "", false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT lead_reviewer FROM cases WHERE id = ?`, c.id).Scan(&reviewer); err != nil {
		return "", false, err
	}
	death = c.incidentKind == "death"
	return reviewer, death, audit(ctx, tx, now, c.id, actor, "family_letter", "the family letter and leaflet (Appendix 7, 8) made for the lead reviewer to complete and send by hand")
}

// sendFamilyLetter is Family letter by email: the letter and leaflet go to staff as a
// .docx, the same document as csprbot case REF family-letter writes; never to a family.
func (t *Tracker) sendFamilyLetter(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (string, error) {
	to := t.staffAddrs()
	if len(to) == 0 {
		return "", fmt.Errorf("%w: no staff address to send the family letter to", ErrRefused)
	}
	reviewer, _, err := t.familyLetterInfo(ctx, tx, now, c, actor)
	if err != nil {
		return "", err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return "", err
	}
	if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplFamilyLetter, to: to, data: &MailData{Case: view, LCSPR: &LCSPRView{Reviewer: reviewer}}}); err != nil {
		return "", err
	}
	return "the family letter and leaflet (Appendix 7, 8) are sent to staff as a .docx, for the lead reviewer to complete and send by hand (csprbot never writes to a family)", nil
}
