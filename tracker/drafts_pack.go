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

// The panel papers pack (issue 14.4): for each local review panel meeting in the confirmed
// timetable (a row whose action names a panel meeting), one document of its papers goes to
// staff the working day before; "Send panel papers" (or csprbot case REF panel-papers)
// makes one at any time.

const draftPack = "panel_pack"

// torLabels label the Terms of Reference's fields in the pack, in the form's order.
var torLabels = []struct{ key, label string }{
	{"rapid_review_feedback", "1.0 Rapid Review & National Panel feedback"}, {"incident_outline", "2.0 Serious incident outline"},
	{"case_history", "3.0 Brief case history"}, {"review_period_from", "Review period from"}, {"review_period_to", "Review period to"},
	{"themes", "Themes"}, {"key_lines_of_enquiry", "Key lines of enquiry"}, {"methodology", "Review methodology"},
	{"lead_reviewer", "Lead reviewer"}, {"parallel_investigations", "12.0 Parallel investigations"},
	{"family_engagement", "13.0 Child & family engagement"}, {"publication_plan", "14.0 Media, publication & support planning"},
}

var reportLabels = []struct{ key, label string }{
	{"completed_by", "Completed by"}, {"role", "Role"}, {"date_of_completion", "Date of completion"}, {"period", "Period covered"},
	{"summary", "Summary of involvement"}, {"analysis", "Analysis of involvement"}, {"lessons", "Lessons learned"},
}

// PanelPack is the panel papers pack of a case as it stands now.
func (t *Tracker) PanelPack(ctx context.Context, ref, meeting string) (*PanelPackView, error) {
	return onCase(ctx, t, ref, "panel papers", func(tx *sql.Tx, now time.Time, c caseRow) (*PanelPackView, error) {
		return t.panelPackView(ctx, tx, now, c, meeting, time.Time{})
	})
}

func (t *Tracker) panelPackView(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, meeting string, at time.Time) (*PanelPackView, error) {
	v := &PanelPackView{CaseRef: c.ref, ChildInitials: c.initials, Meeting: meeting, At: at}
	var fj, status string
	err := tx.QueryRowContext(ctx, `SELECT form_json, status FROM terms_of_reference WHERE case_id = ?`, c.id).Scan(&fj, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		v.Outstanding = append(v.Outstanding, "Terms of Reference: none received yet")
	case err != nil:
		return nil, err
	default:
		v.ToRStatus = status
		var f Form
		_ = json.Unmarshal([]byte(fj), &f)
		for _, l := range torLabels {
			if s := strings.TrimSpace(f.Fields[l.key]); s != "" {
				v.ToR = append(v.ToR, Field{Label: l.label, Value: s})
			}
		}
		for _, r := range f.Tables["timetable"] {
			row := ToRRow{Action: strings.TrimSpace(r["action"]), Responsible: strings.TrimSpace(r["responsible"])}
			if d, err := time.ParseInLocation("2006-01-02", r["date"], t.cal.Location()); err == nil {
				row.Due = t.cal.At(d, 17, 0)
			}
			if row.Action != "" {
				v.Timetable = append(v.Timetable, row)
			}
		}
		if status != "confirmed" {
			v.Outstanding = append(v.Outstanding, "Terms of Reference: received but not yet confirmed (Confirm terms)")
		}
	}
	chron, _, err := t.chronologyView(ctx, tx, now, c)
	if err != nil {
		return nil, err
	}
	v.Chronology = chron
	docs, err := t.caseDocs(ctx, tx, c, FormAgencyReport)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		r := AgencyReportView{Agency: d.agency, Name: d.name, Received: d.received, Actions: d.form.Tables["actions"]}
		for _, l := range reportLabels {
			if s := strings.TrimSpace(d.form.Fields[l.key]); s != "" {
				r.Fields = append(r.Fields, Field{Label: l.label, Value: s})
			}
		}
		if r.Name == "" {
			r.Name = "(in the email)"
		}
		v.Reports = append(v.Reports, r)
	}
	// What is still awaited: chronologies and agency reports asked for and not in.
	if ok, err := hasColumn(ctx, tx, "returns", "kind"); err != nil {
		return nil, err
	} else if ok {
		rows, err := tx.QueryContext(ctx, `SELECT agency, kind, status, due_at FROM returns WHERE case_id = ? AND kind IN ('chronology', 'agency_report')
			AND status NOT IN ('received', 'nil_return', 'waived') ORDER BY due_at, id`, c.id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var agency, kind, st string
			var due sql.NullString
			if err := rows.Scan(&agency, &kind, &st, &due); err != nil {
				rows.Close()
				return nil, err
			}
			what := map[string]string{"chronology": "chronology", "agency_report": "agency report"}[kind]
			v.Outstanding = append(v.Outstanding, fmt.Sprintf("%s: %s due %s (%s)", agency, what, parseTS(due).In(t.cal.Location()).Format("2 January 2006"), st))
		}
		rows.Close()
	}
	for _, a := range chron.Missing {
		v.Outstanding = append(v.Outstanding, a+": scoping return not received")
	}
	return v, nil
}

// sendPanelPack sends staff the panel papers pack. key names the meeting it is for ("" for
// one asked by command), recorded so that each meeting's pack goes once.
func (t *Tracker) sendPanelPack(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, meeting string, at time.Time, key, actor string) (string, error) {
	if len(t.cfg.Staff) == 0 {
		return "", fmt.Errorf("%w: no staff address is configured to send the panel papers to", ErrRefused)
	}
	v, err := t.panelPackView(ctx, tx, now, c, meeting, at)
	if err != nil {
		return "", err
	}
	cv, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return "", err
	}
	to := t.staffAddrs()
	id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplPanelPack, to: to, data: &MailData{Case: cv, Due: at, Draft: &DraftView{Pack: v}}})
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts(case_id, kind, outbox_msgid, recipients, sources, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.id, draftPack, id, strings.Join(to, ", "), key, actor, ts(now)); err != nil {
		return "", err
	}
	out := fmt.Sprintf("panel papers (%d agency reports, %d chronology entries, %d outstanding) sent to staff", len(v.Reports), len(v.Chronology.Entries)+len(v.Chronology.Undated), len(v.Outstanding))
	return out, audit(ctx, tx, now, c.id, actor, "draft_panel_pack", out)
}

// tickPanelPacks sends each local review panel meeting's pack the working day before it.
func (t *Tracker) tickPanelPacks(ctx context.Context, now time.Time) error {
	rows, err := t.db.QueryContext(ctx, `SELECT d.case_id, d.id, d.agency, d.due_at FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE c.stage = ? AND d.rule = 'lcspr_publication' AND d.agency != '' AND d.status = 'pending' AND lower(d.agency) LIKE '%panel%' ORDER BY d.case_id, d.due_at`, StageLCSPR)
	if err != nil {
		return err
	}
	type due struct {
		caseID, id int64
		action     string
		at         time.Time
	}
	var ds []due
	for rows.Next() {
		var x due
		var at sql.NullString
		if err := rows.Scan(&x.caseID, &x.id, &x.action, &at); err != nil {
			rows.Close()
			return err
		}
		x.at = parseTS(at)
		if panelMeetingStep(x.action) && !x.at.IsZero() && t.papersDue(t.cal.At(x.at, 10, 0), now) && now.Before(x.at) {
			ds = append(ds, x)
		}
	}
	rows.Close()
	for _, x := range ds {
		key := fmt.Sprintf("deadline:%d:%s", x.id, ts(x.at))
		if err := t.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE case_id = ? AND kind = ? AND sources = ?`, x.caseID, draftPack, key).Scan(&n); err != nil || n > 0 {
				return err
			}
			c, err := loadCase(ctx, tx, "id = ?", x.caseID)
			if err != nil {
				return err
			}
			_, err = t.sendPanelPack(ctx, tx, now, c, x.action, x.at, key, "csprbot")
			return err
		}); err != nil {
			return fmt.Errorf("tracker: panel papers: %w", err)
		}
	}
	return nil
}
