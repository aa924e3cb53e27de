package tracker

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RequestResult says what RequestReturns did.
type RequestResult struct {
	Ref       string
	Kind      string
	Requested []string // agencies a request was queued for
	Already   []string // agencies already asked for this kind
	Unknown   []string // agencies with no vouched address: a person must send these
	Due       time.Time
}

// RequestReturns asks agencies for a chronology (Appendix 10) or an agency report
// (Appendix 9) by due (a London date: 17:00 that day), each with the form pre-filled for
// the case. With no agencies named, it asks those the Terms of Reference name, or else
// every agency on the case. Each request is a return of that kind, reminded, chased and
// escalated as scoping returns are (scheduler.go), and opens the agency's lcspr_returns
// deadline.
func (t *Tracker) RequestReturns(ctx context.Context, ref, kind string, agencies []string, due time.Time, actor string) (RequestResult, error) {
	return onCase(ctx, t, ref, "request", func(tx *sql.Tx, now time.Time, c caseRow) (RequestResult, error) {
		return t.requestReturns(ctx, tx, now, c, kind, agencies, due, actor)
	})
}

func lcsprOpen(c caseRow) error {
	if c.stage != StageLCSPR && c.stage != StageAlternative {
		return fmt.Errorf("%w: %s is at stage %s: no local or alternative review was decided (Decision: local)", ErrRefused, c.ref, c.stage)
	}
	return nil
}

func (t *Tracker) requestReturns(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, kind string, agencies []string, day time.Time, actor string) (RequestResult, error) {
	res := RequestResult{Ref: c.ref, Kind: kind}
	if err := lcsprOpen(c); err != nil {
		return res, err
	}
	if kind != ReturnChronology && kind != ReturnAgencyReport {
		return res, fmt.Errorf("%w: request chronology or agency_report, not %q", ErrRefused, kind)
	}
	due := t.cal.At(day, 17, 0)
	if !due.After(now) {
		return res, fmt.Errorf("%w: %s is not in the future", ErrRefused, due.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
	}
	res.Due = due
	if len(agencies) == 0 {
		var err error
		if agencies, err = t.torAgencies(ctx, tx, c.id); err != nil {
			return res, err
		}
	}
	if len(agencies) == 0 {
		rows, err := tx.QueryContext(ctx, `SELECT name FROM case_agencies WHERE case_id = ? ORDER BY id`, c.id)
		if err != nil {
			return res, err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return res, err
			}
			agencies = append(agencies, n)
		}
		rows.Close()
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	for _, arg := range agencies {
		name, email := t.agencyAddress(ctx, tx, c.id, arg)
		if email == "" {
			res.Unknown = append(res.Unknown, name)
			continue
		}
		// Asked already: unless that request was withdrawn by a revised Terms of Reference
		// (lcspr_tor.go), when this asks again on the same row.
		var prevID int64
		var prevNote string
		switch err := tx.QueryRowContext(ctx, `SELECT id, note FROM returns WHERE case_id = ? AND agency = ? AND kind = ? AND item = ''`, c.id, name, kind).Scan(&prevID, &prevNote); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return res, err
		case !strings.HasPrefix(prevNote, torRemovedNote):
			res.Already = append(res.Already, name)
			continue
		}
		av := t.agencyView(ctx, tx, c.id, name)
		av.Name, av.Email, av.Known = name, email, true
		id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: name, tmpl: TmplLCSPRRequest, to: []string{email},
			data: &MailData{Case: view, Agency: av, Due: due, LCSPR: &LCSPRView{Kind: kind, KindLabel: ReturnKindLabel(kind)},
				Form: FormView{CaseRef: c.ref, ChildInitials: c.initials, ReturnBy: due, AgencyName: name}}})
		if err != nil {
			return res, err
		}
		if prevID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET email = ?, requested_at = ?, due_at = ?, due_set_at = ?, request_msgid = ?, status = 'awaiting',
				received_at = NULL, chasers_sent = 0, what = '', note = 'asked again after it was withdrawn' WHERE id = ?`,
				normAddr(email), ts(now), ts(due), ts(now), id, prevID); err != nil {
				return res, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET note = '' WHERE case_id = ? AND rule = 'lcspr_returns' AND agency = ? AND note LIKE ?`,
				c.id, name, torRemovedNote+"%"); err != nil {
				return res, err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, request_msgid, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.id, name, normAddr(email), ts(now), ts(due), ts(now), id, kind); err != nil {
			return res, err
		}
		if err := t.lcsprDeadline(ctx, tx, c.id, name); err != nil {
			return res, err
		}
		res.Requested = append(res.Requested, name)
	}
	detail := fmt.Sprintf("%s requested by %s from: %s; due %s", kind, actor, strings.Join(res.Requested, ", "), ts(due))
	if len(res.Unknown) > 0 {
		detail += "; no address, for a person: " + strings.Join(res.Unknown, ", ")
	}
	return res, audit(ctx, tx, now, c.id, actor, "lcspr_requested", detail)
}

// agencyAddress is an agency's name as the case or the directory knows it and the
// address that may receive case material: the directory's, or one staff vouched for on
// the case.
func (t *Tracker) agencyAddress(ctx context.Context, tx *sql.Tx, caseID int64, arg string) (string, string) {
	name := strings.TrimSpace(arg)
	if ag, ok := t.cfg.agencyByName(name); ok {
		return ag.Name, ag.Email
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, email FROM case_agencies WHERE case_id = ?`, caseID)
	if err != nil {
		return name, ""
	}
	defer rows.Close()
	for rows.Next() {
		var n, e string
		if rows.Scan(&n, &e) == nil && normName(n) == normName(name) {
			return n, e
		}
	}
	return name, ""
}

// lcsprDeadline sets an agency's lcspr_returns deadline to the latest due date of its
// chronology and agency report still awaited, or meets it when none is.
func (t *Tracker) lcsprDeadline(ctx context.Context, tx *sql.Tx, caseID int64, agency string) error {
	var due sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT max(due_at) FROM returns WHERE case_id = ? AND agency = ? AND kind IN ('chronology', 'agency_report')
		AND status IN ('awaiting', 'escalated')`, caseID, agency).Scan(&due); err != nil {
		return err
	}
	d := parseTS(due)
	if d.IsZero() {
		return nil
	}
	// Due on the date set: the deadline is the return's own due time.
	_, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at) VALUES (?, 'lcspr_returns', ?, ?)
		ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at, status = 'pending', met_at = NULL`, caseID, agency, ts(d))
	return err
}

// torAgencies are the agencies the confirmed (or proposed) Terms of Reference ask for
// chronologies and reports.
func (t *Tracker) torAgencies(ctx context.Context, tx *sql.Tx, caseID int64) ([]string, error) {
	f, err := t.torFormOf(ctx, tx, caseID)
	if err != nil || f == nil {
		return nil, err
	}
	var out []string
	for _, r := range f.Tables["agencies"] {
		if a := strings.TrimSpace(r["agency"]); a != "" {
			out = append(out, a)
		}
	}
	return out, nil
}

// torFormOf is the case's Terms of Reference as last read, or nil.
func (t *Tracker) torFormOf(ctx context.Context, tx *sql.Tx, caseID int64) (*Form, error) {
	var js string
	err := tx.QueryRowContext(ctx, `SELECT form_json FROM terms_of_reference WHERE case_id = ?`, caseID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var f Form
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		return nil, nil
	}
	return &f, nil
}

// More sends an agency's chronology or agency report back for more: a new due date
// (17:00 London on day), a request quoting what is missing, and the same chasing.
func (t *Tracker) More(ctx context.Context, ref, agency string, day time.Time, what, actor string) (string, error) {
	return onCase(ctx, t, ref, "more", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.more(ctx, tx, now, c, agency, day, what, actor)
	})
}

func (t *Tracker) more(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, agency string, day time.Time, what, actor string) (string, error) {
	if err := lcsprOpen(c); err != nil {
		return "", err
	}
	what = strings.TrimSpace(what)
	if what == "" {
		return "", fmt.Errorf("%w: say what is missing: More information: AGENCY by YYYY-MM-DD: what is missing", ErrRefused)
	}
	due := t.cal.At(day, 17, 0)
	if !due.After(now) {
		return "", fmt.Errorf("%w: %s is not in the future", ErrRefused, due.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))
	}
	name, email := t.agencyAddress(ctx, tx, c.id, agency)
	// The agency's latest chronology or report: the one received last, or else the last asked.
	var id int64
	var kind, reqID, rEmail string
	err := tx.QueryRowContext(ctx, `SELECT id, kind, request_msgid, email FROM returns WHERE case_id = ? AND agency = ? AND kind IN ('chronology', 'agency_report')
		ORDER BY received_at IS NULL, received_at DESC, id DESC LIMIT 1`, c.id, name).Scan(&id, &kind, &reqID, &rEmail)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: no chronology or agency report was asked of %q on %s", ErrRefused, agency, c.ref)
	}
	if err != nil {
		return "", err
	}
	if email == "" {
		email = rEmail
	}
	if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'awaiting', received_at = NULL, due_at = ?, due_set_at = ?, chasers_sent = 0, what = ?, note = ? WHERE id = ?`,
		ts(due), ts(now), what, "sent back for more by "+actor, id); err != nil {
		return "", err
	}
	if err := t.lcsprDeadline(ctx, tx, c.id, name); err != nil {
		return "", err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return "", err
	}
	var refs []string
	if reqID != "" {
		refs = []string{reqID}
	}
	av := t.agencyView(ctx, tx, c.id, name)
	av.Email = email
	if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: name, tmpl: TmplLCSPRRequest, to: []string{email}, inReplyTo: reqID, references: refs,
		data: &MailData{Case: view, Agency: av, Due: due, LCSPR: &LCSPRView{Kind: kind, KindLabel: ReturnKindLabel(kind), More: what},
			Form: FormView{CaseRef: c.ref, ChildInitials: c.initials, ReturnBy: due, AgencyName: name}}}); err != nil {
		return "", err
	}
	out := fmt.Sprintf("%s's %s sent back for more, due %s", name, strings.ReplaceAll(kind, "_", " "), due.In(t.cal.Location()).Format("15:04 Mon 2 Jan 2006"))
	return out, audit(ctx, tx, now, c.id, actor, "lcspr_more", out+": "+what)
}

// lcsprReturn files an agency's chronology or agency report: it reports false when the
// message is not one (the scoping intake then reads it).
func (t *Tracker) lcsprReturn(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) (bool, error) {
	// Evidence for an action of the action plan (lcspr_action.go).
	if done, err := t.actionEvidence(ctx, tx, now, in, tt, res); done || err != nil {
		return done, err
	}
	type ret struct {
		id   int64
		kind string
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, kind FROM returns WHERE case_id = ? AND agency = ? AND kind IN ('chronology', 'agency_report')
		AND status IN ('awaiting', 'escalated') ORDER BY id`, tt.caseID, tt.agency)
	if err != nil {
		return false, err
	}
	var open []ret
	for rows.Next() {
		var r ret
		if err := rows.Scan(&r.id, &r.kind); err != nil {
			rows.Close()
			return false, err
		}
		open = append(open, r)
	}
	rows.Close()
	if len(open) == 0 {
		return false, nil
	}
	kinds := map[string]bool{}
	for _, a := range in.Attachments {
		if a.Form != nil && (a.Form.Kind == FormChronology || a.Form.Kind == FormAgencyReport) {
			kinds[a.Form.Kind] = true
		}
	}
	var filed []ret
	for _, r := range open {
		if kinds[r.kind] {
			filed = append(filed, r)
		}
	}
	if len(filed) == 0 && len(kinds) == 0 && len(open) == 1 && carriesDocument(in) {
		filed = open // the one document awaited, in a shape the parser did not name
	}
	if len(filed) == 0 {
		return false, nil
	}
	// Look before it counts (issue 8): a chronology or report printed with another case's
	// reference, or naming another child, is held for a person, never filed here.
	onCase, err := loadCase(ctx, tx, "id = ?", tt.caseID)
	if err != nil {
		return true, err
	}
	if why := messageMismatch(in, onCase.ref, onCase.initials); why != "" {
		res.Disposition = DispForPerson
		if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_mismatch", why+"; held for a person, not filed"); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s sent a document on %s, but %s. It is held for a person: not filed, and what was asked is still awaited.", tt.agency, onCase.ref, why), in)
	}
	var labels []string
	for _, r := range filed {
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'received', received_at = ? WHERE id = ?`, ts(in.ReceivedAt), r.id); err != nil {
			return true, err
		}
		labels = append(labels, strings.ReplaceAll(r.kind, "_", " "))
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND agency = ? AND kind IN ('chronology', 'agency_report') AND status IN ('awaiting', 'escalated')`,
		tt.caseID, tt.agency).Scan(&left); err != nil {
		return true, err
	}
	if left == 0 {
		if err := t.meetDeadline(ctx, tx, now, tt.caseID, "lcspr_returns", tt.agency, in.ReceivedAt); err != nil {
			return true, err
		}
	} else if err := t.lcsprDeadline(ctx, tx, tt.caseID, tt.agency); err != nil {
		return true, err
	}
	for _, r := range filed {
		if err := t.meetTimetable(ctx, tx, now, tt.caseID, r.kind, in.ReceivedAt); err != nil {
			return true, err
		}
	}
	res.Disposition = DispReturn
	label := strings.Join(labels, " and ") + " received"
	if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_received", label); err != nil {
		return true, err
	}
	if in.Auto != "" {
		return true, t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s's %s arrived as automatic mail (%s) and was filed; no acknowledgement was sent.", tt.agency, label, in.Auto), in)
	}
	c, err := t.caseView(ctx, tx, tt.caseID, now)
	if err != nil {
		return true, err
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, agency: tt.agency, tmpl: TmplLCSPRReceived,
		to: []string{in.From}, sender: in.From, inReplyTo: in.MessageID, references: append(in.References, in.MessageID),
		data: &MailData{Case: c, Agency: t.agencyView(ctx, tx, tt.caseID, tt.agency), Reason: strings.Join(labels, " and "), LCSPR: &LCSPRView{Kind: filed[0].kind}}})
	return true, err
}

// meetTimetable meets the Terms of Reference's timetable rows for a kind of return
// ("Chronologies returned", "Agency reports returned") once no return of that kind is
// awaited from any agency.
func (t *Tracker) meetTimetable(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, kind string, at time.Time) error {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind = ? AND status IN ('awaiting', 'escalated')`, caseID, kind).Scan(&open); err != nil || open > 0 {
		return err
	}
	word := map[string]string{ReturnChronology: "chronolog", ReturnAgencyReport: "agency report"}[kind]
	if word == "" {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT agency FROM deadlines WHERE case_id = ? AND rule = 'lcspr_returns' AND status = 'pending' AND note LIKE 'timetable:%'`, caseID)
	if err != nil {
		return err
	}
	var rowsDue []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		if strings.Contains(strings.ToLower(a), word) {
			rowsDue = append(rowsDue, a)
		}
	}
	rows.Close()
	for _, a := range rowsDue {
		if err := t.meetDeadline(ctx, tx, now, caseID, "lcspr_returns", a, at); err != nil {
			return err
		}
	}
	return nil
}
