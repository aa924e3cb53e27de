package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// FormActionPlan is the parser's kind for the multi-agency action plan.
const FormActionPlan = "action_plan"

func actionPlanForm(in *Incoming) *Form {
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormActionPlan {
			return a.Form
		}
	}
	return nil
}

// ActionPlanResult says what ActionPlan did.
type ActionPlanResult struct {
	Ref     string
	Asked   []string // "A1: action (owner, due date)": evidence asked for
	Already []string
	Unknown []string // actions whose owner has no address, or whose date could not be read
}

// ActionPlan reads the multi-agency action plan: each action (action, owner agency, due
// date) becomes a return of kind action_evidence, asked of its owner by its date and
// reminded, chased and escalated as any return; its deadline is action_plan. Evidence
// received goes to the MESI subgroup to sign off; the case closes when every action is
// evidenced and signed off.
func (t *Tracker) ActionPlan(ctx context.Context, ref string, f *Form, actor string) (ActionPlanResult, error) {
	return onCase(ctx, t, ref, "action plan", func(tx *sql.Tx, now time.Time, c caseRow) (ActionPlanResult, error) {
		return t.actionPlan(ctx, tx, now, c, f, actor)
	})
}

func (t *Tracker) actionPlan(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, f *Form, actor string) (ActionPlanResult, error) {
	res := ActionPlanResult{Ref: c.ref}
	if err := lcsprOpen(c); err != nil {
		return res, err
	}
	rows := f.Tables["actions"]
	if len(rows) == 0 {
		return res, fmt.Errorf("%w: csprbot could read no actions (action, owner agency, due date) in the action plan", ErrRefused)
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	loc := t.cal.Location()
	for i, r := range rows {
		action := strings.TrimSpace(r["action"])
		if action == "" {
			continue
		}
		item := fmt.Sprintf("A%d: %s", i+1, clipLine(action, 100))
		d, derr := ParseLondonDate(r["due"], loc)
		name, email := t.agencyAddress(ctx, tx, c.id, r["owner"])
		if derr != nil || email == "" {
			why := "owner " + orNone(strings.TrimSpace(r["owner"])) + " has no address csprbot may use"
			if derr != nil {
				why = fmt.Sprintf("due date %q could not be read", r["due"])
			}
			res.Unknown = append(res.Unknown, item+" ("+why+")")
			continue
		}
		due := t.cal.At(d, 17, 0)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND item = ?`, c.id, item).Scan(&n); err != nil {
			return res, err
		}
		if n > 0 {
			res.Already = append(res.Already, item)
			continue
		}
		av := t.agencyView(ctx, tx, c.id, name)
		av.Name, av.Email = name, email
		id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: name, tmpl: TmplLCSPRRequest, to: []string{email},
			data: &MailData{Case: view, Agency: av, Due: due, LCSPR: &LCSPRView{Kind: ReturnActionEvidence, KindLabel: ReturnKindLabel(ReturnActionEvidence), Item: item}}})
		if err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, request_msgid, kind, item) VALUES (?, ?, ?, ?, ?, ?, ?, 'action_evidence', ?)`,
			c.id, name, normAddr(email), ts(now), ts(due), ts(now), id, item); err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at, note) VALUES (?, 'action_plan', ?, ?, ?)
			ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at`, c.id, item, ts(due), "owner: "+name); err != nil {
			return res, err
		}
		res.Asked = append(res.Asked, fmt.Sprintf("%s (%s, by %s)", item, name, due.In(loc).Format("Mon 2 Jan 2006")))
	}
	return res, audit(ctx, tx, now, c.id, actor, "action_plan", fmt.Sprintf("action plan from %s: evidence asked for %d actions; %d for a person", actor, len(res.Asked), len(res.Unknown)))
}

// clipLine is s on one line, cut to n characters with an ellipsis.
func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// ActionPlanDone is what reading an action plan did, as one line.
func ActionPlanDone(res ActionPlanResult) string {
	s := fmt.Sprintf("action plan read: evidence asked for %d actions", len(res.Asked))
	if len(res.Asked) > 0 {
		s += " (" + strings.Join(res.Asked, "; ") + ")"
	}
	if len(res.Already) > 0 {
		s += "; already tracked: " + strings.Join(res.Already, "; ")
	}
	if len(res.Unknown) > 0 {
		s += "; for a person: " + strings.Join(res.Unknown, "; ")
	}
	return s
}

// actionEvidence files an owner's reply to an evidence request as that action's evidence
// and asks the MESI subgroup to sign it off. It reports false when the message answers no
// open action.
func (t *Tracker) actionEvidence(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) (bool, error) {
	// The action whose request (or reminder, or chaser, threaded under it) this answers;
	// or the owner's only open action.
	ids := map[string]bool{}
	for _, x := range append([]string{in.InReplyTo, tt.ourID}, in.References...) {
		if x = strings.Trim(strings.TrimSpace(x), "<>"); x != "" {
			ids[x] = true
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, item, request_msgid FROM returns WHERE case_id = ? AND agency = ? AND kind = 'action_evidence'
		AND status IN ('awaiting', 'escalated') ORDER BY id`, tt.caseID, tt.agency)
	if err != nil {
		return false, err
	}
	var id, only int64
	var item, onlyItem string
	n := 0
	for rows.Next() {
		var rid int64
		var it, req string
		if err := rows.Scan(&rid, &it, &req); err != nil {
			rows.Close()
			return false, err
		}
		n++
		only, onlyItem = rid, it
		if ids[req] {
			id, item = rid, it
		}
	}
	rows.Close()
	if id == 0 && n == 1 {
		id, item = only, onlyItem
	}
	if id == 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'received', received_at = ?, note = 'evidence received; awaiting MESI sign-off' WHERE id = ?`, ts(in.ReceivedAt), id); err != nil {
		return true, err
	}
	res.Disposition = DispReturn
	if err := audit(ctx, tx, now, tt.caseID, tt.agency, "action_evidence", "evidence received for "+item); err != nil {
		return true, err
	}
	view, err := t.caseView(ctx, tx, tt.caseID, now)
	if err != nil {
		return true, err
	}
	if to := t.cfg.Addresses.MESI; to != "" {
		var extra []Attachment
		for _, a := range in.Attachments {
			extra = append(extra, a.Attachment)
		}
		lines := []string{"From: " + normAddr(in.From), "Received: " + in.ReceivedAt.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04")}
		if txt := strings.TrimSpace(in.Text); txt != "" {
			lines = append(lines, "Their message: "+clipLine(txt, 1500))
		}
		if _, err := t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, agency: tt.agency, tmpl: TmplActionSignOff, to: []string{to}, extra: extra,
			data: &MailData{Case: view, Agency: t.agencyView(ctx, tx, tt.caseID, tt.agency), Lines: lines,
				LCSPR: &LCSPRView{Kind: ReturnActionEvidence, KindLabel: ReturnKindLabel(ReturnActionEvidence), Item: item, Key: strings.SplitN(item, ":", 2)[0]}}}); err != nil {
			return true, err
		}
	}
	if in.Auto != "" {
		return true, nil
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, agency: tt.agency, tmpl: TmplLCSPRReceived,
		to: []string{in.From}, sender: in.From, inReplyTo: in.MessageID, references: append(in.References, in.MessageID),
		data: &MailData{Case: view, Agency: t.agencyView(ctx, tx, tt.caseID, tt.agency), Reason: "evidence for " + item, LCSPR: &LCSPRView{Kind: ReturnActionEvidence, Item: item}}})
	return true, err
}

// SignOff records the MESI subgroup's sign-off of actions' evidence (items "A1", "A2", or
// "all"): each is met; when every action is evidenced and signed off, the case closes.
func (t *Tracker) SignOff(ctx context.Context, ref, items, actor string) (string, error) {
	return onCase(ctx, t, ref, "sign off", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.signOff(ctx, tx, now, c, items, actor)
	})
}

func (t *Tracker) signOff(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, items, actor string) (string, error) {
	want := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToUpper(items), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		want[w] = true
	}
	if len(want) == 0 {
		return "", fmt.Errorf("%w: which actions? Signed off: A1, A2 (or all)", ErrRefused)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, item, status, received_at FROM returns WHERE case_id = ? AND kind = 'action_evidence' ORDER BY id`, c.id)
	if err != nil {
		return "", err
	}
	type act struct {
		id           int64
		item, status string
		received     sql.NullString
		key          string
	}
	var acts []act
	for rows.Next() {
		var a act
		if err := rows.Scan(&a.id, &a.item, &a.status, &a.received); err != nil {
			rows.Close()
			return "", err
		}
		a.key, _, _ = strings.Cut(a.item, ":")
		acts = append(acts, a)
	}
	rows.Close()
	var done, notYet []string
	for _, a := range acts {
		if !want["ALL"] && !want[strings.ToUpper(a.key)] {
			continue
		}
		if a.status != "received" {
			notYet = append(notYet, a.key)
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET note = ? WHERE id = ?`, "signed off by "+actor+" on "+t.londonDay(now), a.id); err != nil {
			return "", err
		}
		if err := t.meetDeadline(ctx, tx, now, c.id, "action_plan", a.item, parseTS(a.received)); err != nil {
			return "", err
		}
		done = append(done, a.key)
	}
	if len(done) == 0 {
		return "", fmt.Errorf("%w: no evidence received to sign off for %s", ErrRefused, items)
	}
	out := "signed off: " + strings.Join(done, ", ")
	if len(notYet) > 0 {
		out += "; no evidence yet for " + strings.Join(notYet, ", ")
	}
	if err := audit(ctx, tx, now, c.id, actor, "action_signed_off", out); err != nil {
		return "", err
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND (status != 'received' OR note NOT LIKE 'signed off%')`, c.id).Scan(&open); err != nil {
		return "", err
	}
	if open == 0 {
		reason := "every action of the action plan evidenced and signed off (" + t.londonDay(now) + ")"
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ?, closed_at = ?, close_reason = ? WHERE id = ?`, StageClosed, ts(now), reason, c.id); err != nil {
			return "", err
		}
		if err := audit(ctx, tx, now, c.id, actor, "case_closed", reason); err != nil {
			return "", err
		}
		out += "; " + reason + ": case closed"
	}
	return out, nil
}
