package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PublicationWarnWeeks are the default weeks ([schedule] publication_warn_weeks) before the six-month publication deadline
// (lcspr_publication) at which staff are warned; at the last, a review without a
// publication date inside the deadline gets the notice to the National Panel and the
// Secretary of State saying why, prepared and held for approval.
var PublicationWarnWeeks = []int{8, 4}

// TickLCSPR prepares the NSPCC submission on the publication date (any day, from the
// chase hour: it only waits for approval), warns staff as a local review's six-month
// publication deadline approaches, once per warning, from the chase hour on working days,
// and prepares the late-publication notice when it will be missed. Each case is its own
// transaction.
func (t *Tracker) TickLCSPR(ctx context.Context) (int, error) {
	now := t.Now()
	n, err := t.tickNSPCC(ctx, now)
	if err != nil {
		return n, fmt.Errorf("tracker: tick nspcc: %w", err)
	}
	if !t.cal.IsWorkingDay(now) || now.Before(t.cal.At(now, t.cfg.ChaseHour, 0)) {
		return n, nil
	}
	rows, err := t.db.QueryContext(ctx, `SELECT d.case_id, d.due_at FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.rule = 'lcspr_publication' AND d.agency = '' AND d.status = 'pending' AND c.stage = ? AND c.published_at IS NULL`, StageLCSPR)
	if err != nil {
		return 0, fmt.Errorf("tracker: tick lcspr: %w", err)
	}
	type item struct {
		caseID int64
		due    time.Time
	}
	var items []item
	for rows.Next() {
		var it item
		var due string
		if err := rows.Scan(&it.caseID, &due); err != nil {
			rows.Close()
			return 0, err
		}
		it.due, _ = time.Parse(time.RFC3339, due)
		items = append(items, it)
	}
	rows.Close()
	if err := t.tickLearning(ctx, now); err != nil {
		return n, fmt.Errorf("tracker: tick learning event: %w", err)
	}
	kept, err := t.tickWebsiteKept(ctx, now)
	n += kept
	if err != nil {
		return n, fmt.Errorf("tracker: tick website kept: %w", err)
	}
	pubRule, _ := t.cfg.rule("lcspr_publication")
	for _, it := range items {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			due := it.due
			// A six-month date an earlier csprbot set on a weekend or bank holiday moves as
			// the rule now says (the working day before), once, before any warning counts
			// from it.
			if pubRule.Months > 0 {
				if moved := t.cal.roll(due, pubRule.Roll); !moved.Equal(due) {
					if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET due_at = ? WHERE case_id = ? AND rule = 'lcspr_publication' AND agency = '' AND status = 'pending' AND due_at = ?`,
						ts(moved), it.caseID, ts(due)); err != nil {
						return err
					}
					if err := audit(ctx, tx, now, it.caseID, "csprbot", "deadline_moved", fmt.Sprintf("lcspr_publication: %s is not a working day; due %s", t.londonDay(due), t.londonDay(moved))); err != nil {
						return err
					}
					due = moved
				}
			}
			for i, w := range t.cfg.PublicationWarnWeeks {
				kind := fmt.Sprintf("warn%d", w)
				if t.londonDay(now) < t.londonDay(due.AddDate(0, 0, -7*w)) { // from that London date
					continue
				}
				var sent int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM statutory_sent WHERE case_id = ? AND rule = 'lcspr_publication' AND kind = ?`, it.caseID, kind).Scan(&sent); err != nil {
					return err
				}
				if sent > 0 {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO statutory_sent(case_id, rule, kind, at) VALUES (?, 'lcspr_publication', ?, ?)`, it.caseID, kind, ts(now)); err != nil {
					return err
				}
				var publish sql.NullString
				if err := tx.QueryRowContext(ctx, `SELECT publish_on FROM cases WHERE id = ?`, it.caseID).Scan(&publish); err != nil {
					return err
				}
				p := parseTS(publish)
				late := p.IsZero() || p.After(due)
				reason := fmt.Sprintf("The local review must be published by %s (six months from the decision); %d weeks or less to go.",
					due.In(t.cal.Location()).Format("Mon 2 Jan 2006"), w)
				if p.IsZero() {
					reason += " No publication date is recorded yet (Final report: publish YYYY-MM-DD, with the report attached)."
				} else {
					reason += " Publication is set for " + p.In(t.cal.Location()).Format("Mon 2 Jan 2006") + "."
				}
				last := i == len(t.cfg.PublicationWarnWeeks)-1
				if last && late {
					// One notice of late publication: one already waiting (with the reason
					// a staff member gave, perhaps) or approved is not prepared again.
					switch state, err := t.noticeState(ctx, tx, it.caseID, NoticeDelay); {
					case err != nil:
						return err
					case state == "approved":
						reason += " It will be missed: the notice to the National Panel and the Secretary of State saying why was already approved, and is not sent again."
					case state == "awaiting_approval":
						reason += " It will be missed: the notice to the National Panel and the Secretary of State saying why is prepared and waits for approval (Approve: delay); Publication delay: REASON replaces its reason."
					default:
						if err := t.prepareDelay(ctx, tx, now, it.caseID, p, ""); err != nil && !errors.Is(err, ErrRefused) {
							return err
						}
						reason += " It will be missed: the notice to the National Panel and the Secretary of State saying why is prepared and waits for approval (Approve: delay); send the reason with Publication delay: REASON to add it."
					}
				}
				if err := t.staffNotice(ctx, tx, now, it.caseID, reason); err != nil {
					return err
				}
				n++
				if err := audit(ctx, tx, now, it.caseID, "csprbot", "publication_warning", reason); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("tracker: tick lcspr: %w", err)
		}
	}
	return n, nil
}

// staffNotice tells every staff member something about a case.
func (t *Tracker) staffNotice(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, reason string) error {
	if len(t.cfg.Staff) == 0 {
		return nil
	}
	view, err := t.caseView(ctx, tx, caseID, now)
	if err != nil {
		return err
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: caseID, tmpl: TmplStaffAttention, to: t.staffAddrs(), data: &MailData{Case: view, Reason: reason}})
	return err
}

// prepareDelay prepares the notice that the review will not be published within six
// months, to the National Panel and the Secretary of State (DfE), held for approval.
func (t *Tracker) prepareDelay(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, publish time.Time, why string) error {
	var decided sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT decision_at FROM cases WHERE id = ?`, caseID).Scan(&decided); err != nil {
		return err
	}
	a := t.cfg.Addresses
	_, err := t.prepareNotice(ctx, tx, now, caseID, NoticeDelay, []string{a.NationalPanel, a.DfE}, &LCSPRView{DecisionAt: parseTS(decided), PublishOn: publish, Why: why}, nil)
	return err
}

// tickWebsiteKept tells staff, once, when a published report has been on the website for
// the nspcc_submission rule's kept_months (12): it may now be archived. That time is the
// rule's deadline with the agency KeptAgency; it is met when staff are told, so the
// reminder goes once.
func (t *Tracker) tickWebsiteKept(ctx context.Context, now time.Time) (int, error) {
	rows, err := t.db.QueryContext(ctx, `SELECT d.case_id, d.due_at, coalesce(c.published_url, '') FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.rule = 'nspcc_submission' AND d.agency = ? AND d.status = 'pending' AND d.due_at <= ?`, KeptAgency, ts(now))
	if err != nil {
		return 0, err
	}
	type item struct {
		caseID int64
		due    time.Time
		url    string
	}
	var items []item
	for rows.Next() {
		var it item
		var due string
		if err := rows.Scan(&it.caseID, &due, &it.url); err != nil {
			rows.Close()
			return 0, err
		}
		it.due, _ = time.Parse(time.RFC3339, due)
		items = append(items, it)
	}
	rows.Close()
	n := 0
	for _, it := range items {
		err := t.tx(ctx, func(tx *sql.Tx) error {
			var pending int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deadlines WHERE case_id = ? AND rule = 'nspcc_submission' AND agency = ? AND status = 'pending'`, it.caseID, KeptAgency).Scan(&pending); err != nil || pending == 0 {
				return err
			}
			if err := t.meetDeadline(ctx, tx, now, it.caseID, "nspcc_submission", KeptAgency, it.due); err != nil {
				return err
			}
			reason := "The published report has now been on the website for the time required (until " +
				it.due.In(t.cal.Location()).Format("Mon 2 Jan 2006") + "); it may now be archived or taken down, as the partnership decides."
			if it.url != "" {
				reason += " It is at " + it.url + "."
			}
			if err := t.staffNotice(ctx, tx, now, it.caseID, reason); err != nil {
				return err
			}
			n++
			return audit(ctx, tx, now, it.caseID, "csprbot", "website_kept_reminder", reason)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
