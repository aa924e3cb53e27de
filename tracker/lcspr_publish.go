package tracker

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FinalReportResult says what FinalReport did.
type FinalReportResult struct {
	Ref       string
	PublishOn time.Time // 00:00 London on the publication date
	SendBy    time.Time // final_report: the last moment the copies may go (7 WD before)
	Forced    bool
	Late      time.Time // lcspr_publication, when the publication date is after it
	// NotReceived is what was asked of agencies and never came ("AGENCY: chronology,
	// agency report"): no longer chased once the final report is accepted (settle.go).
	NotReceived []string
	StepsMet    []string // the timetable's steps toward the final report, taken as done
	// DelayWithdrawn: the publication date is inside the six months now, and the notice
	// that publication would be late, still waiting for approval, is withdrawn (never sent).
	DelayWithdrawn bool
	// DelaySent: the publication date is inside the six months now, but the notice that it
	// would be late was already approved: a person tells the national bodies the new date.
	DelaySent bool
	// NSPCCWithdrawn: the NSPCC copy of the report or date before, waiting for approval, is
	// withdrawn (never sent); the new one is prepared on the publication date.
	NSPCCWithdrawn bool
	// NSPCCSent: the NSPCC copy of the report or date before was already approved: a
	// person tells the NSPCC.
	NSPCCSent bool
}

// publicationAnchor is what the final_report rule counts its working days back from: the
// publication date, or, when that is a weekend or bank holiday, the working day before it
// (as WorkingDaysAfter counts a day that is not a working day). "No later than seven
// working days before the date of publication" then gives the national bodies as many
// working days before a Saturday or bank-holiday publication as before one on the working
// day before it, never fewer than before a publication on a working day.
func (t *Tracker) publicationAnchor(publish time.Time) time.Time {
	return t.cal.At(t.cal.roll(t.cal.At(publish, 17, 0), RollPreceding), 0, 0)
}

// publicationSendBy is the final_report deadline of a publication date: the last moment
// the copies to the National Panel, Ofsted and the DfE may go; ok is false without the rule.
func (t *Tracker) publicationSendBy(publish time.Time) (time.Time, bool) {
	r, ok := t.cfg.rule("final_report")
	if !ok {
		return time.Time{}, false
	}
	_, by, ok := t.cal.Due(r, map[Anchor]time.Time{AnchorPublication: t.publicationAnchor(publish)})
	return by, ok
}

// earliestPublication is the first publication date (00:00 London) that FinalReport
// accepts without force at now: the first date, from today, whose publicationSendBy is
// not past, found by the same test FinalReport makes, so the date named is accepted and
// no date before it is.
func (t *Tracker) earliestPublication(now time.Time) time.Time {
	d := t.cal.At(now, 0, 0)
	for i := 0; i < 400; i++ {
		if by, ok := t.publicationSendBy(d); !ok || !by.Before(now) {
			return d
		}
		d = t.cal.At(d.AddDate(0, 0, 1), 0, 0) // the next London date (AddDate keeps 00:00 London)
	}
	return d
}

// FinalReport records the review's final report and its publication date (a London date)
// and prepares the copies to the National Panel, Ofsted and the DfE, held for approval and
// sent once. A publication date that leaves fewer than the final_report rule's working
// days (7) is refused, naming the earliest lawful date, unless forced.
func (t *Tracker) FinalReport(ctx context.Context, ref string, report *Attachment, publish time.Time, force bool, actor string) (FinalReportResult, error) {
	return onCase(ctx, t, ref, "final report", func(tx *sql.Tx, now time.Time, c caseRow) (FinalReportResult, error) {
		return t.finalReport(ctx, tx, now, c, report, publish, force, actor)
	})
}

func (t *Tracker) finalReport(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, report *Attachment, publish time.Time, force bool, actor string) (FinalReportResult, error) {
	res := FinalReportResult{Ref: c.ref, PublishOn: t.cal.At(publish, 0, 0), Forced: force}
	if c.stage != StageLCSPR {
		return res, fmt.Errorf("%w: %s is at stage %s: a final report goes to national bodies for a local review only", ErrRefused, c.ref, c.stage)
	}
	if report == nil || (len(report.Data) == 0 && report.File == "") {
		return res, fmt.Errorf("%w: attach the final report", ErrRefused)
	}
	// What was recorded before: the publication date and the latest final report still
	// standing (approved, or waiting), to tell a repeat from a change.
	var prevPub sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT publish_on FROM cases WHERE id = ?`, c.id).Scan(&prevPub); err != nil {
		return res, err
	}
	samePub := parseTS(prevPub).Equal(res.PublishOn)
	withData, err := withContent([]Attachment{*report})
	if err != nil {
		return res, err
	}
	digest := sha256.Sum256(withData[0].Data)
	prev, err := t.latestFinalReport(ctx, tx, c.id)
	if err != nil {
		return res, err
	}
	sameReport := false
	for _, a := range prev.atts {
		sameReport = sameReport || sha256.Sum256(a.Data) == digest
	}
	if prev.status == "approved" && sameReport && samePub {
		// The same report with the same date, recorded again (an email resent, or the
		// command line too): it went, or goes, to the national bodies once.
		return res, fmt.Errorf("%w: this final report (%s), with publication on %s, was already approved for the National Panel, Ofsted and the DfE on %s; it is not prepared or sent again",
			ErrRefused, report.Name, t.londonDay(res.PublishOn), t.londonDay(prev.approvedAt))
	}
	r, ok := t.cfg.rule("final_report")
	if ok {
		res.SendBy, ok = t.publicationSendBy(res.PublishOn)
	}
	if ok && res.SendBy.Before(now) && !force {
		early := t.earliestPublication(now)
		return res, fmt.Errorf("%w: publication on %s leaves fewer than %d working days for the National Panel, Ofsted and the DfE; the earliest lawful date is %s (or add force)",
			ErrRefused, res.PublishOn.In(t.cal.Location()).Format("Mon 2 Jan 2006"), r.Days, early.In(t.cal.Location()).Format("Mon 2 Jan 2006"))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET publish_on = ? WHERE id = ?`, ts(res.PublishOn), c.id); err != nil {
		return res, err
	}
	if res.NotReceived, res.StepsMet, err = t.settleFinalReport(ctx, tx, now, c.id, actor); err != nil {
		return res, err
	}
	for _, rule := range []string{"final_report", "nspcc_submission"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE case_id = ? AND rule = ? AND agency = '' AND status = 'pending'`, c.id, rule); err != nil {
			return res, err
		}
		anchors := map[Anchor]time.Time{AnchorPublication: res.PublishOn}
		if rule == "final_report" {
			anchors[AnchorPublication] = t.publicationAnchor(res.PublishOn) // as SendBy
		}
		if err := t.setDeadline(ctx, tx, c.id, rule, "", anchors); err != nil {
			return res, err
		}
	}
	a := t.cfg.Addresses
	lv := &LCSPRView{PublishOn: res.PublishOn, ReportName: report.Name}
	if _, err := t.prepareNotice(ctx, tx, now, c.id, NoticeFinalReport, []string{a.NationalPanel, a.Ofsted, a.DfE}, lv, []Attachment{*report}); err != nil {
		return res, err
	}
	// Another date or another report: the NSPCC copy still waiting (of the report and
	// date before) would send the NSPCC what is no longer so; it is withdrawn, and the
	// scheduler prepares the new one on the publication date (tickNSPCC). One approved
	// already is said, for a person to follow up.
	if prev.status != "" && (!samePub || !sameReport) {
		switch state, err := t.nspccState(ctx, tx, c.id); {
		case err != nil:
			return res, err
		case state == "awaiting_approval":
			if err := t.withdrawNotice(ctx, tx, c.id, NoticeNSPCC, "withdrawn: the final report or its publication date changed"); err != nil {
				return res, err
			}
			res.NSPCCWithdrawn = true
		case state == "approved":
			res.NSPCCSent = true
		}
	}
	// Publication after the six months: the notice saying so is prepared too (held).
	var pubDue sql.NullString
	_ = tx.QueryRowContext(ctx, `SELECT due_at FROM deadlines WHERE case_id = ? AND rule = 'lcspr_publication' AND agency = ''`, c.id).Scan(&pubDue)
	delay, err := t.noticeState(ctx, tx, c.id, NoticeDelay)
	if err != nil {
		return res, err
	}
	if d := parseTS(pubDue); !d.IsZero() && t.cal.At(res.PublishOn, 17, 0).After(d) {
		res.Late = d
		if delay == "" {
			if err := t.prepareDelay(ctx, tx, now, c.id, res.PublishOn, ""); err != nil {
				return res, err
			}
		}
	} else {
		// Publication inside the six months (a date corrected, say): a notice that it will
		// be late, still waiting, would tell the national bodies something untrue, so it
		// is withdrawn; one already approved is said, for a person to follow up.
		switch delay {
		case "awaiting_approval":
			if err := t.withdrawNotice(ctx, tx, c.id, NoticeDelay, "withdrawn: publication is now inside the six months"); err != nil {
				return res, err
			}
			res.DelayWithdrawn = true
		case "approved":
			res.DelaySent = true
		}
	}
	detail := fmt.Sprintf("final report %s received from %s; publication on %s; copies to the National Panel, Ofsted and the DfE wait for approval", report.Name, actor, t.londonDay(res.PublishOn))
	if force {
		detail += " (publication date forced)"
	}
	if res.NSPCCWithdrawn {
		detail += "; the NSPCC copy waiting for approval (of the report or date before) is withdrawn"
	}
	if res.DelayWithdrawn {
		detail += "; the late-publication notice waiting for approval is withdrawn (publication is inside the six months)"
	}
	return res, audit(ctx, tx, now, c.id, actor, "final_report", detail)
}

// FinalReportDone is a final report as one line.
func FinalReportDone(res FinalReportResult, loc *time.Location) string {
	s := "final report recorded; publication on " + res.PublishOn.In(loc).Format("Mon 2 Jan 2006")
	if !res.SendBy.IsZero() {
		s += "; the copies to the National Panel, Ofsted and the DfE must go by " + res.SendBy.In(loc).Format("15:04 Mon 2 Jan 2006")
	}
	if res.Forced {
		s += " (date forced)"
	}
	if !res.Late.IsZero() {
		s += "; that is after the six months (" + res.Late.In(loc).Format("Mon 2 Jan 2006") + "): the notice to the National Panel and the Secretary of State saying why is prepared (Publication delay: REASON adds the reason; Approve: delay)"
	}
	s += "; they wait for approval (Approve: final report)"
	if res.DelayWithdrawn {
		s += ". Publication is inside the six months now: the notice that it would be late, which was waiting for approval, is withdrawn and will not be sent"
	}
	if res.DelaySent {
		s += ". Publication is inside the six months now, but the notice that it would be late was already approved: tell the National Panel and the Secretary of State the new date"
	}
	if res.NSPCCWithdrawn {
		s += ". The NSPCC copy of the report or date before, which was waiting for approval, is withdrawn and will not be sent: the new one is prepared on the publication date"
	}
	if res.NSPCCSent {
		s += ". The NSPCC copy of the report or date before was already approved: tell the NSPCC of the new report or date"
	}
	if len(res.StepsMet) > 0 {
		s += ". Timetable steps taken as done with it: " + strings.Join(res.StepsMet, ", ")
	}
	if len(res.NotReceived) > 0 {
		s += ". Never received, and no longer chased: " + strings.Join(res.NotReceived, "; ")
	}
	return s
}

// Published records that the review was published on day (zero: today) at url, meets
// lcspr_publication, and prepares the NSPCC submission with the final report attached,
// held for approval: unless the scheduler prepared it already on the publication date
// (TickLCSPR), which this then replaces with the recorded date and address while it still
// waits, and never once it was approved. The report is kept on the website for the
// nspcc_submission rule's kept_months (12) from this date.
func (t *Tracker) Published(ctx context.Context, ref string, day time.Time, url, actor string) (string, error) {
	return onCase(ctx, t, ref, "published", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.published(ctx, tx, now, c, day, url, actor)
	})
}

func (t *Tracker) published(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, day time.Time, url, actor string) (string, error) {
	report, ok, err := t.finalReportSent(ctx, tx, c.id)
	if err != nil {
		return "", err
	}
	// A case closed before publication (the action plan signed off while publication
	// waits, say) with its final report recorded is still published, and its NSPCC copy
	// still goes.
	if c.stage != StageLCSPR {
		var after int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases c WHERE c.id = ? AND `+publishesAfterClosing, c.id).Scan(&after); err != nil {
			return "", err
		}
		if after == 0 {
			return "", fmt.Errorf("%w: %s is at stage %s, not a local review", ErrRefused, c.ref, c.stage)
		}
	}
	at := now
	if !day.IsZero() {
		at = t.doneOn(day, now)
	}
	var prev sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT published_at FROM cases WHERE id = ?`, c.id).Scan(&prev); err != nil {
		return "", err
	}
	if prev.Valid {
		return "", fmt.Errorf("%w: %s was already recorded as published on %s", ErrRefused, c.ref, t.londonDay(parseTS(prev)))
	}
	if !ok {
		return "", fmt.Errorf("%w: no final report was recorded on %s (Final report: publish YYYY-MM-DD, with the report attached)", ErrRefused, c.ref)
	}
	url = strings.TrimSpace(url)
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET published_at = ?, published_url = ? WHERE id = ?`, ts(at), url, c.id); err != nil {
		return "", err
	}
	if err := t.meetDeadline(ctx, tx, now, c.id, "lcspr_publication", "", at); err != nil {
		return "", err
	}
	if err := t.setKept(ctx, tx, c.id, at); err != nil {
		return "", err
	}
	out := "publication recorded on " + t.londonDay(at)
	if url != "" {
		out += " at " + url
	}
	switch state, err := t.nspccState(ctx, tx, c.id); {
	case err != nil:
		return "", err
	case state == "approved":
		out += "; the NSPCC submission was already approved, and is not sent again"
	default:
		lv := &LCSPRView{PublishOn: at, URL: url}
		if _, err := t.prepareNotice(ctx, tx, now, c.id, NoticeNSPCC, []string{t.cfg.Addresses.NSPCC}, lv, report); err != nil {
			return "", err
		}
		out += "; the NSPCC submission waits for approval (Approve: nspcc)"
	}
	return out, audit(ctx, tx, now, c.id, actor, "published", out)
}

// finalReportSent is the final report as it went (or waits to go) to the national
// bodies: the attachments of the latest final report notice; ok is false if there is none.
func (t *Tracker) finalReportSent(ctx context.Context, tx *sql.Tx, caseID int64) (atts []Attachment, ok bool, err error) {
	var js string
	err = tx.QueryRowContext(ctx, `SELECT o.email_json FROM national_notices n JOIN outbox o ON o.message_id = n.outbox_msgid
		WHERE n.case_id = ? AND n.what = ? AND n.status IN ('approved', 'awaiting_approval') ORDER BY n.id DESC LIMIT 1`, caseID, NoticeFinalReport).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var e OutEmail
	if err := json.Unmarshal([]byte(js), &e); err != nil {
		return nil, false, err
	}
	return e.Attachments, true, nil
}

// finalReportNotice is the latest final report notice still standing on a case.
type finalReportNotice struct {
	status     string // "" (none), "awaiting_approval" or "approved"
	approvedAt time.Time
	atts       []Attachment
}

// latestFinalReport is the case's latest final report notice that is not superseded.
func (t *Tracker) latestFinalReport(ctx context.Context, tx *sql.Tx, caseID int64) (finalReportNotice, error) {
	var n finalReportNotice
	var js string
	var at sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT n.status, n.approved_at, o.email_json FROM national_notices n JOIN outbox o ON o.message_id = n.outbox_msgid
		WHERE n.case_id = ? AND n.what = ? AND n.status IN ('approved', 'awaiting_approval') ORDER BY n.id DESC LIMIT 1`, caseID, NoticeFinalReport).Scan(&n.status, &at, &js)
	if errors.Is(err, sql.ErrNoRows) {
		return n, nil
	}
	if err != nil {
		return n, err
	}
	var e OutEmail
	if err := json.Unmarshal([]byte(js), &e); err != nil {
		return n, err
	}
	n.approvedAt, n.atts = parseTS(at), e.Attachments
	return n, nil
}

// nspccState is where the case's NSPCC submission is: "" (none prepared, or only
// superseded ones), "awaiting_approval" or "approved".
func (t *Tracker) nspccState(ctx context.Context, tx *sql.Tx, caseID int64) (string, error) {
	return t.noticeState(ctx, tx, caseID, NoticeNSPCC)
}

// withdrawNotice supersedes the case's notices of one kind still waiting for approval:
// never sent.
func (t *Tracker) withdrawNotice(ctx context.Context, tx *sql.Tx, caseID int64, what, why string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'superseded', last_error = ? WHERE status = 'awaiting_approval' AND message_id IN
		(SELECT outbox_msgid FROM national_notices WHERE case_id = ? AND what = ? AND status = 'awaiting_approval')`, why, caseID, what); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE national_notices SET status = 'superseded' WHERE case_id = ? AND what = ? AND status = 'awaiting_approval'`, caseID, what)
	return err
}

// noticeState is where the case's national notice of one kind is: "" (none prepared, or
// only superseded ones), "awaiting_approval" or "approved" (approved wins: it went, or goes).
func (t *Tracker) noticeState(ctx context.Context, tx *sql.Tx, caseID int64, what string) (string, error) {
	var approved, waiting int
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(status = 'approved'), 0), coalesce(sum(status = 'awaiting_approval'), 0)
		FROM national_notices WHERE case_id = ? AND what = ?`, caseID, what).Scan(&approved, &waiting)
	switch {
	case err != nil:
		return "", err
	case approved > 0:
		return "approved", nil
	case waiting > 0:
		return "awaiting_approval", nil
	}
	return "", nil
}

// setKept records (or moves, while it is pending) the end of the time the published
// report stays on the website: the nspcc_submission rule's second deadline (KeptAgency).
func (t *Tracker) setKept(ctx context.Context, tx *sql.Tx, caseID int64, published time.Time) error {
	r, ok := t.cfg.rule("nspcc_submission")
	if !ok {
		return nil
	}
	kept, ok := t.cal.KeptUntil(r, published)
	if !ok {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at, note) VALUES (?, 'nspcc_submission', ?, ?, ?)
		ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at WHERE deadlines.status = 'pending'`,
		caseID, KeptAgency, ts(kept), "the published report stays on the website until then")
	return err
}

// publishesAfterClosing is the condition on a case c closed with its local review still
// to be published: decided local (so closed by the action plan signed off, not by a
// decision of no further review or the National Panel's own review) and its final report
// recorded (a final report notice not superseded). Its publication is still recorded and
// its NSPCC copy still prepared (published, tickNSPCC), and closing it does not waive the
// NSPCC submission (settleableDeadline).
const publishesAfterClosing = `(c.stage = '` + StageClosed + `' AND c.decision = '` + DecisionLocal + `'
	AND EXISTS (SELECT 1 FROM national_notices f WHERE f.case_id = c.id AND f.what = '` + NoticeFinalReport + `' AND f.status != 'superseded'))`

// tickNSPCC prepares, on the publication date (from the chase hour, London), the NSPCC
// submission of every local review (open, or closed with its final report recorded: the
// action plan signed off before publication, publishesAfterClosing) whose date has come (the date given with the final
// report, or the publication recorded), held for approval: once per case, whatever
// restarts come between, because a prepared or approved one is in national_notices and
// is looked for in the same transaction. Staff are told. Staff recording publication
// before the date prepares it then (Published), and this finds it done.
func (t *Tracker) tickNSPCC(ctx context.Context, now time.Time) (int, error) {
	if t.cfg.Addresses.NSPCC == "" {
		return 0, nil // nowhere to send it: Published says so to the staff member
	}
	rows, err := t.db.QueryContext(ctx, `SELECT c.id, coalesce(c.published_at, c.publish_on) FROM cases c
		WHERE (c.stage = ? OR `+publishesAfterClosing+`)
			AND coalesce(c.published_at, c.publish_on) <= ?
			AND NOT EXISTS (SELECT 1 FROM national_notices n WHERE n.case_id = c.id AND n.what = ? AND n.status != 'superseded')`,
		StageLCSPR, ts(now), NoticeNSPCC)
	if err != nil {
		return 0, err
	}
	type item struct {
		caseID int64
		on     time.Time
	}
	var items []item
	for rows.Next() {
		var it item
		var on sql.NullString
		if err := rows.Scan(&it.caseID, &on); err != nil {
			rows.Close()
			return 0, err
		}
		it.on = parseTS(on)
		if !it.on.IsZero() && !now.Before(t.cal.At(it.on, t.cfg.ChaseHour, 0)) {
			items = append(items, it)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			switch state, err := t.nspccState(ctx, tx, it.caseID); {
			case err != nil:
				return err
			case state != "":
				return nil // another pass, or staff, did it
			}
			report, ok, err := t.finalReportSent(ctx, tx, it.caseID)
			if err != nil || !ok {
				return err // no final report to send: Published refuses too
			}
			var url string
			var published sql.NullString
			if err := tx.QueryRowContext(ctx, `SELECT published_url, published_at FROM cases WHERE id = ?`, it.caseID).Scan(&url, &published); err != nil {
				return err
			}
			if _, err := t.prepareNotice(ctx, tx, now, it.caseID, NoticeNSPCC, []string{t.cfg.Addresses.NSPCC}, &LCSPRView{PublishOn: it.on, URL: url}, report); err != nil {
				return err
			}
			if !published.Valid {
				if err := t.setKept(ctx, tx, it.caseID, it.on); err != nil {
					return err
				}
			}
			day := it.on.In(t.cal.Location()).Format("Mon 2 Jan 2006")
			reason := "Today, " + day + ", is the publication date: the copy of the report for the NSPCC national case review repository is prepared and waits for approval (Approve: nspcc)."
			if !published.Valid {
				reason = "Today, " + day + ", is the publication date given with the final report: the copy of the report for the NSPCC national case review repository is prepared and waits for approval (Approve: nspcc). Once the report is on the website, reply Published: [URL] to record it."
			}
			if err := t.staffNotice(ctx, tx, now, it.caseID, reason); err != nil {
				return err
			}
			n++
			return audit(ctx, tx, now, it.caseID, "csprbot", "nspcc_prepared", "NSPCC submission prepared on the publication date "+t.londonDay(it.on)+"; waiting for approval")
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
