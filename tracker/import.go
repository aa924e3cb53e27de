package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ImportCase is one case already running when csprbot is installed, as the support
// team's tracking spreadsheet has it (one CSV row).
type ImportCase struct {
	Line           int // in the file, for errors
	Ref            string
	ChildInitials  string
	Referral       time.Time // when the referral arrived: day 0
	Aware          time.Time // when the authority became aware (zero: the referral)
	Stage          string    // referral | scoping | rapid_review (empty: worked out)
	ScopingSent    time.Time // when the scoping requests went out (zero: not yet)
	Meeting        time.Time // the Rapid Review meeting, held or arranged (zero: none)
	PanelNotified  time.Time // the National Panel notified (zero: not yet)
	OfstedNotified time.Time
	Agencies       []ImportAgency
}

// ImportAgency is one agency on an imported case and where its scoping return stands.
type ImportAgency struct {
	Name     string
	Status   string    // asked (awaiting) | returned | nil | waived | named (on the case, not asked)
	Returned time.Time // for returned and nil
	Due      time.Time // an agreed due date (zero: the rule's, from ScopingSent)
}

// ImportedCase is what importing one case did (or, in a dry run, would do).
type ImportedCase struct {
	Ref         string
	Stage       string
	Agencies    int
	Outstanding []string // what csprbot will now chase or remind about, with dates
	Done        []string // what was already done and will not be sent again
}

// ImportError is a row that could not be imported.
type ImportError struct {
	Line int
	Ref  string
	Err  error
}

func (e ImportError) Error() string { return fmt.Sprintf("line %d (%s): %v", e.Line, e.Ref, e.Err) }

// ErrImport: some rows could not be imported, so none was.
var ErrImport = errors.New("import refused")

// Import creates the cases with their history as it was, in one transaction: every
// row or none. Nothing is sent for what was already done (no acknowledgement, no
// scoping request, no invitation): only what is still outstanding will be chased by the
// scheduler from now on. With dryRun the transaction is rolled back and the report says
// what it would have created. Row errors are all reported, by line.
func (t *Tracker) Import(ctx context.Context, rows []ImportCase, source string, dryRun bool) ([]ImportedCase, error) {
	now := t.Now()
	tx, err := t.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("tracker: import: %w", err)
	}
	defer tx.Rollback()
	var out []ImportedCase
	var errs []error
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
			return nil, fmt.Errorf("tracker: import: %w", err)
		}
		ic, err := t.importCase(ctx, tx, now, r, source)
		if err != nil {
			errs = append(errs, ImportError{Line: r.Line, Ref: r.Ref, Err: err})
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO import_row`); err != nil {
				return nil, fmt.Errorf("tracker: import: %w", err)
			}
		} else {
			out = append(out, ic)
		}
		if _, err := tx.ExecContext(ctx, `RELEASE import_row`); err != nil {
			return nil, fmt.Errorf("tracker: import: %w", err)
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%w: nothing imported: %w", ErrImport, errors.Join(errs...))
	}
	if dryRun {
		return out, nil // rolled back
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("tracker: import: %w", err)
	}
	return out, nil
}

var refRe = lazyRegexp(`^([A-Z][A-Z0-9]*)-(\d{4})-(\d{3,})$`)

func (t *Tracker) importCase(ctx context.Context, tx *sql.Tx, now time.Time, r ImportCase, source string) (ImportedCase, error) {
	ic := ImportedCase{Ref: r.Ref}
	m := refRe().FindStringSubmatch(r.Ref)
	if m == nil || m[1] != t.cfg.RefPrefix {
		return ic, fmt.Errorf("reference %q is not %s-YYYY-NNN", r.Ref, t.cfg.RefPrefix)
	}
	year, _ := strconv.Atoi(m[2])
	seq, _ := strconv.Atoi(m[3])
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE ref = ? OR (year = ? AND seq = ?)`, r.Ref, year, seq).Scan(&n); err != nil {
		return ic, err
	}
	if n > 0 {
		return ic, fmt.Errorf("%w: case %s is already in the store", ErrDuplicate, r.Ref)
	}
	if r.Referral.IsZero() {
		return ic, errors.New("the referral date is required")
	}
	if r.Referral.After(now) {
		return ic, fmt.Errorf("the referral date %s is in the future", t.londonDay(r.Referral))
	}
	initials := strings.ToUpper(strings.NewReplacer(".", "", " ", "").Replace(r.ChildInitials)) // "A.B." and "A B" are AB
	if len([]rune(initials)) > 4 || strings.IndexFunc(initials, func(c rune) bool { return !unicode.IsLetter(c) }) >= 0 {
		return ic, fmt.Errorf("child's initials %q: give initials only (at most 4 letters), never a name", r.ChildInitials)
	}
	for _, d := range []struct {
		what string
		at   time.Time
	}{{"aware", r.Aware}, {"scoping_sent", r.ScopingSent}, {"panel_notified", r.PanelNotified}, {"ofsted_notified", r.OfstedNotified}} {
		if !d.at.IsZero() && d.at.After(now) {
			return ic, fmt.Errorf("%s %s is in the future", d.what, t.londonDay(d.at))
		}
		if !d.at.IsZero() && d.at.Before(r.Referral.AddDate(0, -6, 0)) {
			return ic, fmt.Errorf("%s %s is long before the referral", d.what, t.londonDay(d.at))
		}
	}
	asked := 0
	for _, a := range r.Agencies {
		if a.Status != "named" {
			asked++
		}
	}
	stage := r.Stage
	switch {
	case stage == "" && r.ScopingSent.IsZero():
		stage = StageReferral
	case stage == "":
		stage = StageScoping
	}
	switch stage {
	case StageReferral:
		if asked > 0 || !r.ScopingSent.IsZero() {
			return ic, errors.New("stage referral, but agencies were asked for scoping returns: give stage scoping (or rapid_review) and scoping_sent")
		}
	case StageScoping, StageRapidReview:
		if asked > 0 && r.ScopingSent.IsZero() {
			return ic, errors.New("agencies were asked for scoping returns: scoping_sent (the date the requests went out) is required")
		}
	default:
		return ic, fmt.Errorf("stage %q: import takes cases at referral, scoping or rapid_review; enter later stages by hand", stage)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO cases(ref, year, seq, stage, child_initials, referral_received, aware_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Ref, year, seq, stage, initials,
		ts(r.Referral), nullTS(r.Aware), ts(now))
	if err != nil {
		return ic, err
	}
	caseID, _ := res.LastInsertId()
	ic.Stage = stage

	// The statutory partners, then the agencies the row names.
	for _, a := range t.cfg.Agencies {
		if a.Partner != "" {
			if err := addCaseAgency(ctx, tx, caseID, a.Name, a.Email, a.Partner, "statutory partner", "partner"); err != nil {
				return ic, err
			}
		}
	}
	anchors := map[Anchor]time.Time{AnchorReferral: r.Referral, AnchorAware: r.Referral}
	if !r.Aware.IsZero() {
		anchors[AnchorAware] = r.Aware
	}
	if !r.Meeting.IsZero() {
		anchors[AnchorMeeting] = r.Meeting
	}
	for _, name := range []string{"panel_notification", "scoping_sent", "rr_meeting", "rr_submission"} {
		if err := t.setDeadline(ctx, tx, caseID, name, "", anchors); err != nil {
			return ic, err
		}
	}
	if !r.ScopingSent.IsZero() {
		if err := t.meetDeadline(ctx, tx, now, caseID, "scoping_sent", "", r.ScopingSent); err != nil {
			return ic, err
		}
		ic.Done = append(ic.Done, "scoping requests sent "+t.londonDay(r.ScopingSent))
	}
	if !r.PanelNotified.IsZero() {
		if err := t.meetDeadline(ctx, tx, now, caseID, "panel_notification", "", r.PanelNotified); err != nil {
			return ic, err
		}
		ic.Done = append(ic.Done, "National Panel notified "+t.londonDay(r.PanelNotified))
	}
	if !r.OfstedNotified.IsZero() {
		if err := t.setDeadline(ctx, tx, caseID, "ofsted_sos_notification", "", anchors); err != nil {
			return ic, err
		}
		if err := t.meetDeadline(ctx, tx, now, caseID, "ofsted_sos_notification", "", r.OfstedNotified); err != nil {
			return ic, err
		}
		ic.Done = append(ic.Done, "Ofsted notified "+t.londonDay(r.OfstedNotified))
	}
	seen := map[string]bool{}
	for _, a := range r.Agencies {
		name, email, partner := strings.TrimSpace(a.Name), "", ""
		if ag, ok := t.cfg.agencyByName(name); ok {
			name, email, partner = ag.Name, ag.Email, ag.Partner
		} else if a.Status != "named" {
			return ic, fmt.Errorf("agency %q is not in the [[agency]] directory: add it (with its address) before importing, so that csprbot knows where to chase", a.Name)
		}
		if seen[name] {
			return ic, fmt.Errorf("agency %q is named twice", name)
		}
		seen[name] = true
		if err := addCaseAgency(ctx, tx, caseID, name, email, partner, "imported", "import"); err != nil {
			return ic, err
		}
		ic.Agencies++
		if a.Status == "named" {
			continue
		}
		due := a.Due
		if due.IsZero() {
			due = t.cal.AddWorkingDays(r.ScopingSent, t.ruleDays("scoping_return", 6)) // as startScoping sets it
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			caseID, name, normAddr(email), ts(r.ScopingSent), ts(due), ts(r.ScopingSent), "imported"); err != nil {
			return ic, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, from_at, due_at) VALUES (?, 'scoping_return', ?, NULL, ?)`,
			caseID, name, ts(due)); err != nil {
			return ic, err
		}
		switch a.Status {
		case "returned", "nil":
			if a.Returned.IsZero() || a.Returned.After(now) {
				return ic, fmt.Errorf("agency %q: %s needs the date it came in, not in the future", name, a.Status)
			}
			st := "received"
			if a.Status == "nil" {
				st = "nil_return"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = ?, received_at = ? WHERE case_id = ? AND agency = ?`, st, ts(a.Returned), caseID, name); err != nil {
				return ic, err
			}
			if err := t.meetDeadline(ctx, tx, now, caseID, "scoping_return", name, a.Returned); err != nil {
				return ic, err
			}
			what := "returned"
			if st == "nil_return" {
				what = "sent a nil return"
			}
			ic.Done = append(ic.Done, fmt.Sprintf("%s %s %s", name, what, t.londonDay(a.Returned)))
		case "waived":
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'waived', note = 'waived before import' WHERE case_id = ? AND agency = ?`, caseID, name); err != nil {
				return ic, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET status = 'waived', note = 'waived before import' WHERE case_id = ? AND rule = 'scoping_return' AND agency = ?`, caseID, name); err != nil {
				return ic, err
			}
			ic.Done = append(ic.Done, name+" waived")
		case "asked":
			when := "due " + t.londonDay(due)
			if now.After(due) {
				when = "overdue since " + t.londonDay(due) + ": will be chased"
			}
			ic.Outstanding = append(ic.Outstanding, fmt.Sprintf("%s's scoping return, %s", name, when))
		default:
			return ic, fmt.Errorf("agency %q: status %q is not one of asked, returned, nil, waived, named", name, a.Status)
		}
	}
	if !r.Meeting.IsZero() {
		// Arranged before csprbot: no invitation is sent, and its papers are taken as
		// circulated (csprbot does not know who was invited).
		uid := "rapid-review." + r.Ref + "." + randomHex(6) + "@" + t.cfg.MessageIDDomain
		if _, err := tx.ExecContext(ctx, `INSERT INTO meetings(case_id, uid, sequence, at, minutes, status, invitees, papers_at, set_by, updated_at)
			VALUES (?, ?, 0, ?, ?, 'set', '', ?, 'import', ?)`, caseID, uid, ts(r.Meeting), MeetingMinutes, ts(now), ts(now)); err != nil {
			return ic, err
		}
		for _, rule := range []string{"rr_papers", "rr_submission", "outcome_notice"} {
			if err := t.setDeadline(ctx, tx, caseID, rule, "", anchors); err != nil {
				return ic, err
			}
		}
		if err := t.meetDeadline(ctx, tx, now, caseID, "rr_papers", "", minTime(now, r.Meeting)); err != nil {
			return ic, err
		}
		if !r.Meeting.After(now) {
			if err := t.meetDeadline(ctx, tx, now, caseID, "rr_meeting", "", r.Meeting); err != nil {
				return ic, err
			}
			ic.Done = append(ic.Done, "Rapid Review meeting held "+t.londonDay(r.Meeting))
		} else {
			ic.Done = append(ic.Done, "Rapid Review meeting arranged for "+t.londonDay(r.Meeting)+" (no invitation sent by csprbot)")
		}
	}
	if stage == StageScoping {
		if err := t.maybeAdvanceStage(ctx, tx, now, caseID); err != nil {
			return ic, err
		}
		_ = tx.QueryRowContext(ctx, `SELECT stage FROM cases WHERE id = ?`, caseID).Scan(&ic.Stage)
	}
	// What the scheduler will act on: every pending case-wide deadline.
	drows, err := tx.QueryContext(ctx, `SELECT rule, due_at FROM deadlines WHERE case_id = ? AND agency = '' AND status = 'pending' ORDER BY due_at`, caseID)
	if err != nil {
		return ic, err
	}
	for drows.Next() {
		var rule, due string
		if err := drows.Scan(&rule, &due); err != nil {
			drows.Close()
			return ic, err
		}
		d, _ := time.Parse(time.RFC3339, due)
		when := "due " + t.londonDay(d)
		if now.After(d) {
			when = "overdue since " + t.londonDay(d)
		}
		ic.Outstanding = append(ic.Outstanding, rule+", "+when)
	}
	drows.Close()
	sort.Strings(ic.Done)
	detail := fmt.Sprintf("case imported from %s line %d: stage %s; already done: %s", source, r.Line, ic.Stage, strings.Join(ic.Done, "; "))
	if err := audit(ctx, tx, now, caseID, "import", "case_imported", detail); err != nil {
		return ic, err
	}
	return ic, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
