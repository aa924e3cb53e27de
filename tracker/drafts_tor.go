package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The Terms of Reference draft (issue 14.3): when a local review is decided, staff get
// Appendix 6 pre-filled, for the Learning from Practice subgroup to amend and send back
// (lcspr_tor.go then reads it and, on Confirm terms, drives the timetable by it).

const draftToR = "tor"

// torDraftView gathers the Terms of Reference draft of a case.
func (t *Tracker) torDraftView(ctx context.Context, tx *sql.Tx, c caseRow) (*ToRDraftView, error) {
	v := &ToRDraftView{CaseRef: c.ref, ChildInitials: c.initials}
	var decided sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT decision_at, lead_reviewer, lead_reviewer_email FROM cases WHERE id = ?`, c.id).
		Scan(&decided, &v.LeadReviewer, &v.LeadReviewerEmail); err != nil {
		return nil, err
	}
	v.DecisionAt = parseTS(decided)
	// 1.0: the Rapid Review's recommendation and rationale, as its report gave them.
	var rec, rationale, review string
	err := tx.QueryRowContext(ctx, `SELECT recommendation, rationale, review_date FROM submissions WHERE case_id = ? AND status != 'superseded' ORDER BY id DESC LIMIT 1`, c.id).
		Scan(&rec, &rationale, &review)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if rec != "" {
		s := "The Rapid Review"
		if review != "" {
			s += " of " + review
		}
		s += " recommended: " + RecommendationLabel(rec) + " (" + rec + ")."
		if rationale != "" {
			s += " Rationale: " + rationale
		}
		v.RapidReviewFeedback = s
	}
	// 2.0 and 3.0 from the referral.
	if ref := c.referralForm(); ref != nil {
		f := ref.Fields
		v.IncidentOutline = strings.Join(nonEmpty(incidentWords(f), f["presenting_concerns"], f["reason_for_referral"]), "\n")
		v.CaseHistory = strings.Join(nonEmpty(f["case_history"], f["extended_family"], f["other_information"]), "\n")
	}
	// 11.0: the agencies whose scoping returns said they knew the child or the family.
	docs, err := t.caseDocs(ctx, tx, c, FormScopingReturn)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.form.Fields["child_known"] != "yes" && d.form.Fields["family_known"] != "yes" {
			continue
		}
		known := false
		for _, a := range v.Agencies {
			known = known || a.Name == d.agency
		}
		if !known {
			v.Agencies = append(v.Agencies, t.agencyView(ctx, tx, c.id, d.agency))
		}
	}
	// 7.0: an outline timetable from the decision date and the configured durations.
	if !v.DecisionAt.IsZero() {
		v.Timetable = t.proposedTimetable(v.DecisionAt)
	}
	return v, nil
}

// proposedTimetable is the outline timetable proposed from the decision: publication by
// the lcspr_publication rule (six months), the final report to the National Panel by the
// final_report rule (seven working days before), and the steps between spaced from them.
func (t *Tracker) proposedTimetable(decided time.Time) []ToRRow {
	due := func(rule string, a map[Anchor]time.Time) time.Time {
		r, ok := t.cfg.rule(rule)
		if !ok {
			return time.Time{}
		}
		_, d, ok := t.cal.Due(r, a)
		if !ok {
			return time.Time{}
		}
		return d
	}
	pub := due("lcspr_publication", map[Anchor]time.Time{AnchorDecision: decided})
	if pub.IsZero() {
		pub = t.cal.AddMonths(decided, 6)
	}
	final := due("final_report", map[Anchor]time.Time{AnchorPublication: pub})
	if final.IsZero() {
		final = t.cal.AddWorkingDays(pub, -7)
	}
	wd := func(from time.Time, n int) time.Time { return t.cal.AddWorkingDays(from, n) }
	lead := t.cfg.Partnership.Signer
	if lead == "" {
		lead = "Strategic Safeguarding Lead"
	}
	return []ToRRow{
		{Action: "Terms of Reference agreed by the Learning from Practice subgroup", Responsible: "Learning from Practice subgroup", Due: wd(decided, 10)},
		{Action: "Chronologies and agency reports returned by agencies", Responsible: "Each agency named in 11.0", Due: wd(decided, 30)},
		{Action: "Practitioner learning event", Responsible: "Lead reviewer", Due: wd(decided, 50)},
		{Action: "Midway review", Responsible: lead, Due: wd(decided, 65)},
		{Action: "Draft overview report to the review panel", Responsible: "Lead reviewer", Due: wd(final, -25)},
		{Action: "Final report to the National Panel, Ofsted and the Secretary of State", Responsible: lead, Due: final},
		{Action: "Publication of the review", Responsible: lead, Due: pub},
	}
}

// sendToRDraft sends staff the Terms of Reference draft of a local review, once.
func (t *Tracker) sendToRDraft(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow) error {
	if len(t.cfg.Staff) == 0 {
		return nil
	}
	v, err := t.torDraftView(ctx, tx, c)
	if err != nil {
		return err
	}
	cv, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return err
	}
	to := t.staffAddrs()
	id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplToRDraft, to: to, data: &MailData{Case: cv, Draft: &DraftView{ToR: v}}})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts(case_id, kind, outbox_msgid, recipients, sources, actor, created_at) VALUES (?, ?, ?, ?, '', 'csprbot', ?)`,
		c.id, draftToR, id, strings.Join(to, ", "), ts(now)); err != nil {
		return err
	}
	return audit(ctx, tx, now, c.id, "csprbot", "draft_tor", fmt.Sprintf("Terms of Reference draft (Appendix 6) sent to staff: %d agencies, %d timetable rows proposed", len(v.Agencies), len(v.Timetable)))
}

// tickToRDrafts sends the Terms of Reference draft of each local review decided that has
// neither a draft nor Terms of Reference yet.
func (t *Tracker) tickToRDrafts(ctx context.Context, now time.Time) error {
	if ok, err := t.storeHas(ctx, "cases", "decision"); err != nil || !ok {
		return err
	}
	ids, err := queryIDs(ctx, t.db, `SELECT id FROM cases c WHERE stage = ? AND decision = 'local'
		AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.case_id = c.id AND d.kind = ?)
		AND NOT EXISTS (SELECT 1 FROM terms_of_reference r WHERE r.case_id = c.id) ORDER BY id`, StageLCSPR, draftToR)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := t.tx(ctx, func(tx *sql.Tx) error {
			c, err := loadCase(ctx, tx, "id = ?", id)
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE case_id = ? AND kind = ?`, id, draftToR).Scan(&n); err != nil || n > 0 {
				return err
			}
			return t.sendToRDraft(ctx, tx, now, c)
		}); err != nil {
			return fmt.Errorf("tracker: terms of reference draft: %w", err)
		}
	}
	return nil
}

func (t *Tracker) storeHas(ctx context.Context, table, col string) (bool, error) {
	var n int
	err := t.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, table, col).Scan(&n)
	return n > 0, err
}
