package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// ScopingResult says what StartScoping did.
type ScopingResult struct {
	Ref       string
	Requested []string // agencies a request was queued for
	Already   []string // agencies already asked
	Unknown   []string // agencies the directory has no address for: a person must send these
	Due       time.Time
	// After is the case's stage when the Rapid Review is over (its report recorded): no
	// scoping request is sent then, and the agencies named are only added to the case
	// (Added), an address given with one vouched for.
	After string
	Added []string
}

// pastRapidReview reports whether a case at stage is past the Rapid Review (its report
// recorded, or a review decided after it): the Rapid Review's scoping is over.
func pastRapidReview(stage string) bool {
	switch stage {
	case StageSubmission, StageLCSPR, StageNational, StageAlternative:
		return true
	}
	return false
}

// StartScoping sends the scoping request (Appendix 4 letter with the Appendix 3 form) to
// the case's agencies: the statutory partners, every agency the referral names that the
// directory knows, and any named in extra (which must be in the directory). Each request
// opens the agency's scoping_return deadline. Asking again skips agencies already asked.
func (t *Tracker) StartScoping(ctx context.Context, ref string, extra []string, actor string) (ScopingResult, error) {
	var res ScopingResult
	err := t.tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = t.startScoping(ctx, tx, t.Now(), ref, extra, actor)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("tracker: start scoping %s: %w", ref, dbErr(err))
	}
	return res, nil
}

func (t *Tracker) startScoping(ctx context.Context, tx *sql.Tx, now time.Time, ref string, extra []string, actor string) (ScopingResult, error) {
	res := ScopingResult{Ref: ref}
	c, err := loadCase(ctx, tx, "ref = ?", ref)
	if err != nil {
		return res, err
	}
	if c.stage == StageClosed {
		return res, fmt.Errorf("%w: case %s is closed", ErrRefused, ref)
	}
	if pastRapidReview(c.stage) && len(extra) == 0 {
		return res, fmt.Errorf("%w: the Rapid Review of %s is over (stage %s): its scoping requests are not sent now; to let an address receive the case's material, Add agency: NAME <address>", ErrRefused, ref, c.stage)
	}
	for _, arg := range extra {
		name, addr, err := agencyArg(arg)
		if err != nil {
			return res, err
		}
		if ag, ok := t.cfg.agencyByName(name); ok {
			if err := addCaseAgency(ctx, tx, c.id, ag.Name, ag.Email, ag.Partner, "added by "+actor, "staff"); err != nil {
				return res, err
			}
			res.Added = append(res.Added, ag.Name)
			continue
		}
		if addr == "" {
			return res, fmt.Errorf("%w: agency %q is not in the directory: give its address to vouch for it, Add agency: NAME <address>", ErrRefused, name)
		}
		// A staff member vouches for this address for this case: it becomes the agency's.
		if err := addCaseAgency(ctx, tx, c.id, name, addr, "", "added by "+actor, "staff"); err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_agencies SET email = ?, source = 'staff', suggested_email = '' WHERE case_id = ? AND name = ?`, addr, c.id, name); err != nil {
			return res, err
		}
		if err := audit(ctx, tx, now, c.id, actor, "agency_vouched", fmt.Sprintf("%s <%s> added to the case by %s", name, addr, actor)); err != nil {
			return res, err
		}
		res.Added = append(res.Added, name+" <"+addr+">")
	}
	if pastRapidReview(c.stage) {
		// After the Rapid Review, Add agency vouches for the address (the combined
		// chronology may go to a lead reviewer added so) and asks nothing: the local
		// review's requests are its own (Request chronology:, Request agency report:).
		res.After = c.stage
		return res, audit(ctx, tx, now, c.id, actor, "agency_added", fmt.Sprintf("added to the case by %s at stage %s, no scoping request sent (the Rapid Review is over): %s", actor, c.stage, strings.Join(res.Added, ", ")))
	}
	type target struct{ name, email, partner, reason string }
	var targets []target
	rows, err := tx.QueryContext(ctx, `SELECT name, email, partner, reason FROM case_agencies WHERE case_id = ? ORDER BY id`, c.id)
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var tg target
		if err := rows.Scan(&tg.name, &tg.email, &tg.partner, &tg.reason); err != nil {
			rows.Close()
			return res, err
		}
		targets = append(targets, tg)
	}
	rows.Close()

	due := t.cal.AddWorkingDays(now, t.ruleDays("scoping_return", 6))
	res.Due = due
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return res, err
	}
	for _, tg := range targets {
		ag, known := t.cfg.agencyByName(tg.name)
		if !known {
			if tg.email == "" {
				res.Unknown = append(res.Unknown, tg.name)
				continue
			}
			// Not in the directory, but staff vouched for its address on this case.
			ag = DirectoryAgency{Name: tg.name, Email: tg.email}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND agency = ? AND kind = 'scoping'`, c.id, ag.Name).Scan(&n); err != nil {
			return res, err
		}
		if n > 0 {
			res.Already = append(res.Already, ag.Name)
			continue
		}
		av := AgencyView{Name: ag.Name, Email: ag.Email, Partner: ag.Partner, Known: true, Reason: tg.reason}
		id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: ag.Name, tmpl: TmplScopingRequest, to: []string{ag.Email},
			data: &MailData{Case: view, Agency: av, Due: due,
				Form: FormView{CaseRef: c.ref, ChildInitials: c.initials, ReturnBy: due, AgencyName: ag.Name}}})
		if err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, request_msgid) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.id, ag.Name, normAddr(ag.Email), ts(now), ts(due), ts(now), id); err != nil {
			return res, err
		}
		if err := t.setDeadline(ctx, tx, c.id, "scoping_return", ag.Name, map[Anchor]time.Time{AnchorScoping: now}); err != nil {
			return res, err
		}
		res.Requested = append(res.Requested, ag.Name)
	}
	if len(res.Requested) > 0 {
		if err := t.meetDeadline(ctx, tx, now, c.id, "scoping_sent", "", now); err != nil {
			return res, err
		}
		if c.stage == StageReferral || c.stage == StageRapidReview {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ? WHERE id = ?`, StageScoping, c.id); err != nil {
				return res, err
			}
		}
	}
	detail := fmt.Sprintf("scoping requested by %s from: %s; return due %s", actor, strings.Join(res.Requested, ", "), ts(due))
	if len(res.Requested) == 0 {
		detail = fmt.Sprintf("scoping asked for by %s: no new agency to ask", actor)
	}
	if len(res.Unknown) > 0 {
		detail += "; not in the directory, for a person: " + strings.Join(res.Unknown, ", ")
	}
	return res, audit(ctx, tx, now, c.id, actor, "scoping_started", detail)
}

func (t *Tracker) ruleDays(name string, def int) int {
	if r, ok := t.cfg.rule(name); ok {
		return r.Days
	}
	return def
}

// agencyArg reads "NAME" or "NAME <address>" (an agency staff vouch for by address).
func agencyArg(arg string) (name, addr string, err error) {
	arg = strings.TrimSpace(arg)
	i := strings.LastIndex(arg, "<")
	if i < 0 || !strings.HasSuffix(arg, ">") {
		return arg, "", nil
	}
	a, perr := mail.ParseAddress(arg[i:])
	name = strings.Trim(strings.TrimSpace(arg[:i]), `",`)
	if perr != nil || name == "" {
		return "", "", fmt.Errorf("%w: write Add agency: NAME <address>", ErrRefused)
	}
	return name, normAddr(a.Address), nil
}
