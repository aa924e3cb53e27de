package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Drafts (issue 14): documents csprbot writes from what the referral and the agencies sent,
// for a person to check, edit and send on. They go to staff only (the combined chronology
// also to a lead reviewer who is recorded and vouched for); never a name in a subject, a
// file name or a log line.

// Draft kinds, as the drafts table records them.
const (
	draftRR         = "rr_report"
	draftChronology = "chronology"
)

// referralForm reads the referral a case was opened from (nil if none could be read).
func (c caseRow) referralForm() *Form {
	var f Form
	if c.referralJSON == "" || json.Unmarshal([]byte(c.referralJSON), &f) != nil || f.Kind == "" && len(f.Fields) == 0 {
		return nil
	}
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	return &f
}

// caseDoc is one document an agency sent on a case, as the intake recorded it.
type caseDoc struct {
	msgID    int64
	agency   string
	disp     string
	received time.Time
	name     string // "" for a form read from the email's body
	form     *Form
}

// caseDocs are the forms of the given kinds that agencies sent on the case, oldest first:
// only from a sender tied to the agency, never a form held because it names another case
// or child.
func (t *Tracker) caseDocs(ctx context.Context, tx *sql.Tx, c caseRow, kinds ...string) ([]caseDoc, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.agency, m.disposition, m.received_at, a.name, a.form_kind, a.form_json
		FROM messages m JOIN attachments a ON a.message_id = m.id
		WHERE m.case_id = ? AND m.agency != '' AND a.form_json != '' AND m.disposition NOT IN (?, ?, ?, ?, ?)
		ORDER BY m.received_at, m.id, a.id`, c.id, DispQuarantine, DispFailed, DispDuplicate, DispAuto, DispTriage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	var out []caseDoc
	for rows.Next() {
		var d caseDoc
		var rec sql.NullString
		var kind, fj string
		if err := rows.Scan(&d.msgID, &d.agency, &d.disp, &rec, &d.name, &kind, &fj); err != nil {
			return nil, err
		}
		if !want[kind] {
			continue
		}
		var f Form
		if json.Unmarshal([]byte(fj), &f) != nil {
			continue
		}
		if formMismatch(&f, c.ref, c.initials) != "" {
			continue // held for a person as another case's: never merged here
		}
		if kind == FormScopingReturn && d.disp != DispReturn {
			continue // an empty or held scoping form is no return
		}
		d.form, d.received = &f, parseTS(rec)
		out = append(out, d)
	}
	return out, rows.Err()
}

// hasColumn reports whether a table of the store has a column (tables other work adds).
func hasColumn(ctx context.Context, tx *sql.Tx, table, col string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, col).Scan(&n)
	return n > 0, err
}

// caseReturn is one agency's scoping return as the returns table holds it.
type caseReturn struct {
	agency, status string
	due, received  time.Time
}

func scopingReturns(ctx context.Context, tx *sql.Tx, caseID int64) ([]caseReturn, error) {
	if ok, err := hasColumn(ctx, tx, "returns", "kind"); err != nil {
		return nil, err
	} else if !ok {
		return returnsOf(ctx, tx, `SELECT agency, status, due_at, received_at FROM returns WHERE case_id = ? ORDER BY id`, caseID)
	}
	return returnsOf(ctx, tx, `SELECT agency, status, due_at, received_at FROM returns WHERE case_id = ? AND kind = 'scoping' ORDER BY id`, caseID)
}

// returnsOf reads the returns q selects (agency, status, due_at, received_at).
func returnsOf(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]caseReturn, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []caseReturn
	for rows.Next() {
		var r caseReturn
		var due, rec sql.NullString
		if err := rows.Scan(&r.agency, &r.status, &due, &rec); err != nil {
			return nil, err
		}
		r.due, r.received = parseTS(due), parseTS(rec)
		out = append(out, r)
	}
	return out, rows.Err()
}

// chronologyReturns are what the combined chronology waits for: in a local review, the
// chronologies asked of agencies (Appendix 10), each request — one sent back for more
// among them — until it is in; before that, the Rapid Review's scoping returns.
func chronologyReturns(ctx context.Context, tx *sql.Tx, caseID int64) ([]caseReturn, error) {
	if ok, err := hasColumn(ctx, tx, "returns", "kind"); err != nil || !ok {
		return scopingReturns(ctx, tx, caseID)
	}
	out, err := returnsOf(ctx, tx, `SELECT agency, status, due_at, received_at FROM returns WHERE case_id = ? AND kind = 'chronology' ORDER BY id`, caseID)
	if err != nil || len(out) > 0 {
		return out, err
	}
	return scopingReturns(ctx, tx, caseID)
}

// referralBackground are the referral's fields about the child, in the form's order.
var referralBackground = []struct{ key, label string }{
	{"child_dob", "Date of birth"}, {"gender", "Gender"}, {"ethnic_origin", "Ethnic origin"}, {"religion", "Faith/religion"},
	{"disability", "Disability"}, {"home_address", "Home address"}, {"looked_after", "Looked after"},
	{"cp_plan", "Child protection plan"}, {"open_to_csc", "Open to Children's Social Care"},
}

// referralSummary are the referral's accounts of the case and the incident, for 1.2.
var referralSummary = []struct{ key, label string }{
	{"presenting_concerns", "Presenting concerns"}, {"case_history", "Case history"}, {"extended_family", "Extended family involvement"},
	{"reason_for_referral", "Why the referral was made"}, {"criminal_investigation", "Criminal investigation"},
	{"coroner_inquiry", "Coroner's inquiry"}, {"adult_safeguarding", "Adult safeguarding concerns"},
	{"siblings_action", "Action to safeguard siblings"}, {"other_information", "Other relevant information"},
	{"additional_information", "Additional information"},
}

// rrDraftView gathers the Rapid Review report draft of a case.
func (t *Tracker) rrDraftView(ctx context.Context, tx *sql.Tx, caseID int64) (*RRDraftView, error) {
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return nil, err
	}
	loc := t.cal.Location()
	day := func(at time.Time) string { return at.In(loc).Format("2 January 2006") }
	v := &RRDraftView{CaseRef: c.ref, ChildInitials: c.initials}
	if m, ok, err := loadMeeting(ctx, tx, caseID); err != nil {
		return nil, err
	} else if ok && m.status == "set" {
		v.Meeting = m.at
	}
	ref := c.referralForm()
	if ref != nil {
		f := ref.Fields
		v.ChildName = strings.TrimSpace(f["child_name"])
		for _, b := range referralBackground {
			if s := strings.TrimSpace(f[b.key]); s != "" {
				v.Background = append(v.Background, Field{Label: b.label, Value: s})
			}
		}
		if s := incidentWords(f); s != "" {
			v.Summary = append(v.Summary, Field{Label: "The incident", Value: s})
		}
		for _, b := range referralSummary {
			if s := strings.TrimSpace(f[b.key]); s != "" {
				v.Summary = append(v.Summary, Field{Label: b.label, Value: s})
			}
		}
		var events []string
		for _, e := range ref.Tables["events"] {
			if s := strings.TrimSpace(strings.Join(nonEmpty(e["when"], e["event"]), ": ")); s != "" {
				events = append(events, s)
			}
		}
		if len(events) > 0 {
			v.Summary = append(v.Summary, Field{Label: "Events around the incident (from the referral)", Value: strings.Join(events, "\n")})
		}
		for _, row := range ref.Tables["family_members"] {
			if strings.TrimSpace(row["name_address"]+row["relationship"]+row["dob"]) != "" {
				v.Family = append(v.Family, row)
			}
		}
	}
	if c.needs || ref == nil {
		v.Summary = append(v.Summary, Field{Label: "Note", Value: "csprbot could not read the referral in full: complete this section from the referral itself."})
	}

	// Documentation available: the referral, then each agency's return.
	by := c.referrerAgency
	if by == "" {
		by = c.referrerName
	}
	line := "Referral of a Serious Incident"
	if by != "" {
		line += " from " + by
	}
	v.Documents = append(v.Documents, line+", received "+day(c.received))
	docs, err := t.caseDocs(ctx, tx, c, FormScopingReturn)
	if err != nil {
		return nil, err
	}
	files := map[string][]string{}
	for _, d := range docs {
		if d.name != "" {
			files[d.agency] = append(files[d.agency], d.name)
		}
		if s := strings.TrimSpace(d.form.Fields["family_members_known"]); s != "" {
			v.FamilyNamed = append(v.FamilyNamed, Field{Label: d.agency, Value: s})
		}
	}
	rets, err := scopingReturns(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	for _, r := range rets {
		var s string
		switch r.status {
		case "received":
			s = fmt.Sprintf("%s: scoping return received %s", r.agency, day(r.received))
			if fs := files[r.agency]; len(fs) > 0 {
				s += " (" + strings.Join(fs, ", ") + ")"
			}
		case "nil_return":
			s = fmt.Sprintf("%s: nil return received %s (neither the child nor the family known)", r.agency, day(r.received))
		case "waived":
			s = fmt.Sprintf("%s: return waived by staff", r.agency)
		default:
			s = fmt.Sprintf("%s: NOT RETURNED (due %s)", r.agency, day(r.due))
		}
		v.Documents = append(v.Documents, s)
	}

	// The participants expected: every invitee, with the answer to the invitation.
	inv, err := t.invitees(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	replies := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT r.attendee, r.partstat FROM meeting_replies r JOIN meetings m ON m.case_id = r.case_id
		WHERE r.case_id = ? AND r.sequence >= m.sequence`, caseID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a, ps string
		if err := rows.Scan(&a, &ps); err != nil {
			rows.Close()
			return nil, err
		}
		replies[normAddr(a)] = strings.ToLower(ps)
	}
	rows.Close()
	for _, i := range inv {
		p := ExpectedParticipant{Address: i.addr, Agency: i.agency, Partner: i.partner, Reply: replies[i.addr]}
		if p.Reply == "" {
			p.Reply = "no reply"
		}
		if s, ok := t.cfg.isStaff(i.addr); ok && i.agency == "" {
			p.Name = s.Name
			if p.Agency == "" {
				p.Agency = t.cfg.Partnership.Name
			}
		}
		v.Expected = append(v.Expected, p)
	}
	return v, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// incidentWords is the incident as the referral gives it, in one line.
func incidentWords(f map[string]string) string {
	kind := map[string]string{"death": "Death", "serious_harm": "Serious harm"}[f["incident_kind"]]
	if kind == "" {
		kind = "Incident"
	}
	var parts []string
	if d := strings.TrimSpace(f["incident_date"]); d != "" {
		parts = append(parts, kind+" on "+d)
	}
	if s := strings.TrimSpace(f["incident_location"]); s != "" {
		parts = append(parts, "at "+s)
	}
	if s := strings.TrimSpace(f["carer_at_incident"]); s != "" {
		parts = append(parts, "carer at the time: "+s)
	}
	return strings.Join(parts, ", ")
}

// sendRRDraft sends staff the Rapid Review report draft, once per case: with the papers,
// the working day before the meeting.
func (t *Tracker) sendRRDraft(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64) error {
	if len(t.cfg.Staff) == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE case_id = ? AND kind = ?`, caseID, draftRR).Scan(&n); err != nil || n > 0 {
		return err
	}
	return t.rrDraftNow(ctx, tx, now, caseID, "csprbot")
}

// sendRRDraftCommand sends the Rapid Review report draft as the case stands now, on a
// person's request ("Send report draft"): also for a case whose papers went before
// csprbot (an imported case), or again after later returns.
func (t *Tracker) sendRRDraftCommand(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor string) (string, error) {
	if len(t.cfg.Staff) == 0 {
		return "", fmt.Errorf("%w: no staff address is configured to send the draft to", ErrRefused)
	}
	switch c.stage {
	case StageReferral, StageScoping, StageRapidReview:
	default:
		return "", fmt.Errorf("%w: case %s is at stage %s: its Rapid Review is over", ErrRefused, c.ref, c.stage)
	}
	var sub int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM submissions WHERE case_id = ? AND status != 'superseded'`, c.id).Scan(&sub); err != nil {
		return "", err
	}
	if sub > 0 {
		return "", fmt.Errorf("%w: the Rapid Review report of %s is already in", ErrRefused, c.ref)
	}
	if err := t.rrDraftNow(ctx, tx, now, c.id, actor); err != nil {
		return "", err
	}
	return "the Rapid Review report draft, as the case stands now, sent to staff", nil
}

func (t *Tracker) rrDraftNow(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, actor string) error {
	v, err := t.rrDraftView(ctx, tx, caseID)
	if err != nil {
		return err
	}
	cv, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	to := t.staffAddrs()
	id, err := t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplRRDraft, to: to, data: &MailData{Case: cv, Due: v.Meeting, Draft: &DraftView{RR: v}}})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts(case_id, kind, outbox_msgid, recipients, sources, actor, created_at) VALUES (?, ?, ?, ?, '', ?, ?)`,
		caseID, draftRR, id, strings.Join(to, ", "), actor, ts(now)); err != nil {
		return err
	}
	return audit(ctx, tx, now, caseID, actor, "draft_rr_report", fmt.Sprintf("Rapid Review report draft (Appendix 5) sent to staff%s: %d returns listed, %d invitees", map[bool]string{true: " with the papers", false: " on request"}[actor == "csprbot"], len(v.Documents)-1, len(v.Expected)))
}

// ---- the combined chronology ----

var (
	isoDay  = lazyRegexp(`^\d{4}-\d{2}-\d{2}$`)
	clockRE = lazyRegexp(`^([01]?\d|2[0-3])[:.]([0-5]\d)$`)
)

// clockOf is a time of day as HH:MM, or "" if s is not one.
func clockOf(s string) string {
	m := clockRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return ""
	}
	h, _ := strconv.Atoi(m[1])
	return fmt.Sprintf("%02d:%s", h, m[2])
}

// Chronology is the combined multi-agency chronology of a case as it stands now.
func (t *Tracker) Chronology(ctx context.Context, ref string) (*ChronologyView, error) {
	return onCase(ctx, t, ref, "chronology", func(tx *sql.Tx, now time.Time, c caseRow) (*ChronologyView, error) {
		v, _, err := t.chronologyView(ctx, tx, now, c)
		return v, err
	})
}

// chronologyView merges every agency's scoping return and chronology (and the referral's
// events) into one chronology. sources is a fingerprint of the documents it came from and
// the returns that are in (one "key<TAB>agency" a line), to tell when a later one arrives.
func (t *Tracker) chronologyView(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow) (*ChronologyView, string, error) {
	v := &ChronologyView{CaseRef: c.ref, ChildInitials: c.initials, Generated: now}
	var all []ChronEntry
	var fp []string
	if ref := c.referralForm(); ref != nil && len(ref.Tables["events"]) > 0 {
		by := c.referrerAgency
		if by == "" {
			by = "Referrer"
		}
		n := 0
		for _, e := range ref.Tables["events"] {
			if strings.TrimSpace(e["when"]+e["event"]) == "" {
				continue
			}
			all = append(all, ChronEntry{Date: strings.TrimSpace(e["when"]), Time: clockOf(e["when_time"]), Agency: by, Source: "referral", What: strings.TrimSpace(e["event"])})
			n++
		}
		v.Sources = append(v.Sources, ChronSource{Agency: by, Kind: "referral", Name: "(the referral)", Received: c.received, Entries: n})
	}
	docs, err := t.caseDocs(ctx, tx, c, FormScopingReturn, FormChronology)
	if err != nil {
		return nil, "", err
	}
	seen := map[string]int64{} // agency|entry → the document it first came in
	for _, d := range docs {
		fp = append(fp, fmt.Sprintf("doc:%d:%s\t%s", d.msgID, d.name, d.agency))
		src := ChronSource{Agency: d.agency, Kind: "scoping return", Name: d.name, Received: d.received}
		var rows []ChronEntry
		if d.form.Kind == FormChronology {
			src.Kind = "chronology"
			for _, r := range d.form.Tables["entries"] {
				e := ChronEntry{Date: strings.TrimSpace(r["date"]), Time: clockOf(r["date_time"]), Agency: d.agency, Source: "chronology",
					Who:     strings.Join(nonEmpty(r["sender"], r["subject"]), " – "),
					Outcome: strings.TrimSpace(r["response"]), Evidence: strings.TrimSpace(r["source"]), Comment: strings.TrimSpace(r["comment"])}
				var what []string
				if s := strings.TrimSpace(r["comms_within"]); s != "" {
					what = append(what, "Within agency: "+s)
				}
				if s := strings.TrimSpace(r["comms_external"]); s != "" {
					what = append(what, "External: "+s)
				}
				e.What = strings.Join(what, "\n")
				rows = append(rows, e)
			}
		} else {
			for _, r := range d.form.Tables["involvement"] {
				rows = append(rows, ChronEntry{Date: strings.TrimSpace(r["date"]), Time: clockOf(r["date_time"]), Agency: d.agency, Source: "scoping return",
					Who: strings.TrimSpace(r["person"]), What: strings.TrimSpace(r["event"]), Outcome: strings.TrimSpace(r["outcome"])})
			}
		}
		if src.Name == "" {
			src.Name = "(in the email)"
		}
		for _, e := range rows {
			if e.Date+e.Who+e.What+e.Outcome+e.Evidence+e.Comment == "" {
				continue
			}
			// The same entry sent again by the same agency (a return re-sent, a chronology
			// with the scoping return's rows) is one entry; across agencies none is dropped.
			key := strings.ToLower(e.Agency + "|" + e.Date + " " + e.Time + "|" + e.Who + "|" + e.What + "|" + e.Outcome)
			if first, ok := seen[key]; ok && first != d.msgID {
				continue
			}
			seen[key] = d.msgID
			all = append(all, e)
			src.Entries++
		}
		v.Sources = append(v.Sources, src)
	}

	from, to, note, err := reviewPeriod(ctx, tx, c.id)
	if err != nil {
		return nil, "", err
	}
	v.PeriodFrom, v.PeriodTo, v.PeriodNote = from, to, note
	for _, e := range all {
		if !isoDay().MatchString(e.Date) {
			v.Undated = append(v.Undated, e)
			continue
		}
		e.Outside = from != "" && e.Date < from || to != "" && e.Date > to
		v.Entries = append(v.Entries, e)
	}
	// By date, and within a day by time where given (an entry without a time first, as
	// the agencies sent them).
	sort.SliceStable(v.Entries, func(i, j int) bool {
		a, b := v.Entries[i], v.Entries[j]
		if a.Date != b.Date {
			return a.Date < b.Date
		}
		return a.Time < b.Time
	})
	v.Entries = sideBySide(v.Entries)

	rets, err := chronologyReturns(ctx, tx, c.id)
	if err != nil {
		return nil, "", err
	}
	missing := map[string]bool{}
	for _, r := range rets {
		switch r.status {
		case "received", "nil_return", "waived":
			fp = append(fp, "in\t"+r.agency) // a nil return adds no entry, but changes what is missing
		default:
			if !missing[r.agency] {
				missing[r.agency] = true
				v.Missing = append(v.Missing, r.agency)
			}
		}
	}
	return v, strings.Join(fp, "\n"), nil
}

// reviewPeriod is the review period the case's Terms of Reference set, if there are any.
func reviewPeriod(ctx context.Context, tx *sql.Tx, caseID int64) (from, to, note string, err error) {
	const none = "No Terms of Reference with a review period are recorded for this case yet, so no entry is marked as outside the review period."
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'terms_of_reference'`).Scan(&n); err != nil || n == 0 {
		return "", "", none, err
	}
	var fj string
	err = tx.QueryRowContext(ctx, `SELECT form_json FROM terms_of_reference WHERE case_id = ?`, caseID).Scan(&fj)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", none, nil
	}
	if err != nil {
		return "", "", "", err
	}
	var f Form
	_ = json.Unmarshal([]byte(fj), &f)
	from, to = f.Fields["review_period_from"], f.Fields["review_period_to"]
	if !isoDay().MatchString(from) {
		from = ""
	}
	if !isoDay().MatchString(to) {
		to = ""
	}
	if from == "" && to == "" {
		return "", "", "The Terms of Reference give no review period csprbot could read, so no entry is marked as outside it.", nil
	}
	return from, to, "", nil
}

// sideBySide puts, within each day, the entries of different agencies that look like the
// same event next to each other (linked through any of them), and names the other agencies
// on each. Nothing is dropped.
func sideBySide(es []ChronEntry) []ChronEntry {
	out := make([]ChronEntry, 0, len(es))
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].Date == es[i].Date {
			j++
		}
		day := es[i:j]
		group := make([]int, len(day)) // union-find over the day's entries
		for a := range group {
			group[a] = a
		}
		var find func(int) int
		find = func(a int) int {
			for group[a] != a {
				a = group[a]
			}
			return a
		}
		for a := range day {
			for b := a + 1; b < len(day); b++ {
				if day[a].Agency != day[b].Agency && sameEvent(day[a], day[b]) {
					if ra, rb := find(a), find(b); ra != rb {
						group[max(ra, rb)] = min(ra, rb)
					}
				}
			}
		}
		done := make([]bool, len(day))
		for a := range day {
			if done[a] {
				continue
			}
			var members []int
			for b := a; b < len(day); b++ {
				if !done[b] && find(b) == find(a) {
					members = append(members, b)
					done[b] = true
				}
			}
			for _, x := range members {
				e := day[x]
				for _, y := range members {
					if day[y].Agency != e.Agency && !contains(e.Same, day[y].Agency) {
						e.Same = append(e.Same, day[y].Agency)
					}
				}
				out = append(out, e)
			}
		}
		i = j
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

var stopWords = map[string]bool{"with": true, "from": true, "that": true, "this": true, "were": true, "was": true, "have": true,
	"been": true, "after": true, "about": true, "their": true, "they": true, "into": true, "there": true, "which": true, "when": true,
	"the": true, "and": true, "for": true, "child": true, "family": true, "mother": true, "father": true}

func eventWords(e ChronEntry) map[string]bool {
	w := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(e.What+" "+e.Outcome+" "+e.Who), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}) {
		if len(f) >= 3 && !stopWords[f] {
			w[f] = true
		}
	}
	return w
}

// sameEvent: two agencies' entries of one day that share enough words to be one event
// seen twice.
func sameEvent(a, b ChronEntry) bool {
	wa, wb := eventWords(a), eventWords(b)
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	small := min(len(wa), len(wb))
	return small > 0 && common >= 2 && common*3 >= small
}

// SendChronology sends the combined chronology of a case to staff, and to the case's lead
// reviewer when one is recorded and vouched for (staff command "Send chronology").
func (t *Tracker) sendChronology(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, actor, note string) (string, error) {
	v, fp, err := t.chronologyView(ctx, tx, now, c)
	if err != nil {
		return "", err
	}
	to := t.staffAddrs()
	// The lead reviewer gets it only when a person asks (staff's command); the updated copy
	// csprbot sends by itself goes to staff alone, nothing outside the partnership by itself.
	lead := ""
	if actor != "csprbot" {
		var err error
		if lead, err = t.leadReviewer(ctx, tx, c.id); err != nil {
			return "", err
		}
	}
	if lead != "" {
		to = append(to, lead)
	}
	if len(to) == 0 {
		return "", fmt.Errorf("%w: no staff address is configured to send the chronology to", ErrRefused)
	}
	cv, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return "", err
	}
	id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplChronology, to: to, data: &MailData{Case: cv, Draft: &DraftView{Chronology: v, Note: note}}})
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts(case_id, kind, outbox_msgid, recipients, sources, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.id, draftChronology, id, strings.Join(to, ", "), fp, actor, ts(now)); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("combined chronology (%d entries from %d documents, %d undated) sent to %s", len(v.Entries)+len(v.Undated), len(v.Sources), len(v.Undated), strings.Join(to, ", "))
	if note != "" {
		detail += "; " + note
	}
	if err := audit(ctx, tx, now, c.id, actor, "draft_chronology", detail); err != nil {
		return "", err
	}
	who := "staff"
	if lead != "" {
		who += " and the lead reviewer (" + lead + ")"
	}
	return fmt.Sprintf("combined chronology (%d entries, %d undated) sent to %s", len(v.Entries)+len(v.Undated), len(v.Undated), who), nil
}

// leadReviewer is the case's lead reviewer's address, when one is recorded (the local
// review's Terms of Reference) and vouched for; "" otherwise.
func (t *Tracker) leadReviewer(ctx context.Context, tx *sql.Tx, caseID int64) (string, error) {
	ok, err := hasColumn(ctx, tx, "cases", "lead_reviewer_email")
	if err != nil || !ok {
		return "", err
	}
	var addr string
	if err := tx.QueryRowContext(ctx, `SELECT lead_reviewer_email FROM cases WHERE id = ?`, caseID).Scan(&addr); err != nil {
		return "", err
	}
	if addr = normAddr(addr); addr == "" {
		return "", nil
	}
	if ok, err := t.vouched(ctx, tx, caseID, addr); err != nil || !ok {
		return "", err
	}
	return addr, nil
}

// tickDrafts sends staff the combined chronology again when a document has arrived since
// it was last sent (a late return, a chronology): once per change, to staff alone.
func (t *Tracker) tickDrafts(ctx context.Context, now time.Time) error {
	if err := t.tickToRDrafts(ctx, now); err != nil {
		return err
	}
	if err := t.tickPanelPacks(ctx, now); err != nil {
		return err
	}
	rows, err := t.db.QueryContext(ctx, `SELECT d.case_id, d.sources FROM drafts d JOIN cases c ON c.id = d.case_id
		WHERE d.kind = ? AND c.stage != ? AND d.id = (SELECT max(id) FROM drafts WHERE case_id = d.case_id AND kind = d.kind) ORDER BY d.case_id`,
		draftChronology, StageClosed)
	if err != nil {
		return err
	}
	type last struct {
		id  int64
		src string
	}
	var cases []last
	for rows.Next() {
		var l last
		if err := rows.Scan(&l.id, &l.src); err != nil {
			rows.Close()
			return err
		}
		cases = append(cases, l)
	}
	rows.Close()
	for _, l := range cases {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			c, err := loadCase(ctx, tx, "id = ?", l.id)
			if err != nil {
				return err
			}
			var src string
			if err := tx.QueryRowContext(ctx, `SELECT sources FROM drafts WHERE case_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`, l.id, draftChronology).Scan(&src); err != nil {
				return err
			}
			_, fp, err := t.chronologyView(ctx, tx, now, c)
			if err != nil || fp == src {
				return err
			}
			old := map[string]bool{}
			for _, s := range strings.Split(src, "\n") {
				old[s] = true
			}
			var from []string
			for _, s := range strings.Split(fp, "\n") {
				if _, agency, _ := strings.Cut(s, "\t"); !old[s] && agency != "" && !contains(from, agency) {
					from = append(from, agency)
				}
			}
			note := "updated: a later document arrived"
			if len(from) > 0 {
				note = "updated: a later return arrived from " + strings.Join(from, ", ")
			}
			_, err = t.sendChronology(ctx, tx, now, c, "csprbot", note)
			return err
		})
		if err != nil {
			return fmt.Errorf("tracker: chronology update: %w", err)
		}
	}
	return nil
}
