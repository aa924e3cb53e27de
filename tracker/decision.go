package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// What may be decided after the Rapid Review (cases.decision).
const (
	DecisionLocal       = "local"       // a local Child Safeguarding Practice Review (LCSPR)
	DecisionNational    = "national"    // a national review: the National Panel's own
	DecisionAlternative = "alternative" // an alternative learning review: the lighter track
	DecisionNone        = "none"        // no further review
)

// StageAlternative is the lighter track after a Rapid Review recommendation c: the same
// requests and chasing as a local review, and no notices to national bodies.
const StageAlternative = "alternative_review"

// ParseDecision reads a decision as staff write it: local, national, alternative, none, or
// the Rapid Review report's letter (a national, b local, c alternative, d–j none).
func ParseDecision(s string) (string, error) {
	switch w := strings.ToLower(strings.TrimSpace(s)); w {
	case "local", "lcspr", "b":
		return DecisionLocal, nil
	case "national", "a":
		return DecisionNational, nil
	case "alternative", "alternative learning review", "c":
		return DecisionAlternative, nil
	case "none", "no review", "no further review", "d", "e", "f", "g", "h", "i", "j":
		return DecisionNone, nil
	}
	return "", fmt.Errorf("%w: %q is not a decision: write local, national, alternative or none", ErrRefused, s)
}

// decisionOfRecommendation is what a Rapid Review recommendation letter leads to.
func decisionOfRecommendation(rec string) string {
	d, err := ParseDecision(rec)
	if err != nil {
		return ""
	}
	return d
}

// DecisionResult says what Decide did.
type DecisionResult struct {
	Ref      string
	Decision string
	At       time.Time // the date the review was decided (what the six-month clock counts from)
	Stage    string    // the case's stage after
	// AwaitingPanel: a national review was recommended and the National Panel's answer is
	// awaited (Panel decision: national|local).
	AwaitingPanel  bool
	PublicationDue time.Time // lcspr_publication, for a local review
	Closed         string    // the reason, when the case was closed
}

// Decide records what was decided after the Rapid Review, or the National Panel's answer
// to a national review recommended to it, on date at (zero: now).
//
//   - local: the case moves to the local review (stage lcspr); the six-month clock
//     (lcspr_publication) counts from at.
//   - national: while the case waits for the Panel's answer, the Panel takes the review
//     on and the case closes here; before that, it is the recommendation and the case
//     waits for the Panel's answer.
//   - alternative: the lighter track (stage alternative_review).
//   - none: the case closes, with the reason and the date.
func (t *Tracker) Decide(ctx context.Context, ref, what string, at time.Time, actor string) (DecisionResult, error) {
	return onCase(ctx, t, ref, "decision", func(tx *sql.Tx, now time.Time, c caseRow) (DecisionResult, error) {
		return t.decide(ctx, tx, now, c, what, at, actor)
	})
}

func (t *Tracker) decide(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, what string, at time.Time, actor string) (DecisionResult, error) {
	res := DecisionResult{Ref: c.ref}
	d, err := ParseDecision(what)
	if err != nil {
		return res, err
	}
	if c.stage == StageClosed {
		return res, fmt.Errorf("%w: case %s is closed (%s)", ErrRefused, c.ref, c.closeReason)
	}
	if at.IsZero() {
		at = now
	}
	if at.After(now) {
		return res, fmt.Errorf("%w: a decision cannot be dated in the future (%s)", ErrRefused, t.londonDay(at))
	}
	var awaiting bool
	if err := tx.QueryRowContext(ctx, `SELECT awaiting_panel FROM cases WHERE id = ?`, c.id).Scan(&awaiting); err != nil {
		return res, err
	}
	return t.applyDecision(ctx, tx, now, c, d, recommendationLetter(what), at, awaiting, actor)
}

// recommendationLetter is the Rapid Review recommendation letter (a–j) staff wrote as a
// decision, or "".
func recommendationLetter(what string) string {
	w := strings.ToLower(strings.TrimSpace(what))
	if len(w) == 1 && w >= "a" && w <= "j" {
		return w
	}
	return ""
}

// OutcomeWords is a decision after the Rapid Review in the guidance's words (Appendix 5,
// section 3), never the stored "none": a decision to review no further is worded by the
// recommendation it came from (rec, the letter d–j, when known): "no further review:
// Warrants a Single-Agency Review (Rapid Review recommendation e)".
func OutcomeWords(decision, rec string) string {
	switch decision {
	case DecisionLocal:
		return "a local Child Safeguarding Practice Review"
	case DecisionNational:
		return "a national Child Safeguarding Practice Review (the National Panel's)"
	case DecisionAlternative:
		return "an alternative learning review"
	case DecisionNone:
		if l := RecommendationLabel(rec); l != "" && rec >= "d" {
			return "no further review: " + l + " (Rapid Review recommendation " + rec + ")"
		}
		return "no further review"
	case "":
		return "not yet decided"
	}
	return decision
}

// outcomeWords is a case's decision in the guidance's words (OutcomeWords), from the
// recommendation recorded with it or, for a decision recorded before schema 80, the
// approved Rapid Review report's. "Decided DATE: " + this is the case's journey's line.
func (t *Tracker) outcomeWords(ctx context.Context, tx *sql.Tx, caseID int64) (string, error) {
	var decision, rec string
	if err := tx.QueryRowContext(ctx, `SELECT decision, decision_rec FROM cases WHERE id = ?`, caseID).Scan(&decision, &rec); err != nil {
		return "", err
	}
	if rec == "" && decision == DecisionNone {
		err := tx.QueryRowContext(ctx, `SELECT recommendation FROM submissions WHERE case_id = ? AND status = 'approved' ORDER BY id DESC LIMIT 1`, caseID).Scan(&rec)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	return OutcomeWords(decision, strings.ToLower(strings.TrimSpace(rec))), nil
}

// applyDecision moves the case on by decision d, taken at at. panelAnswer says the case was
// waiting for the National Panel's answer, which this is.
func (t *Tracker) applyDecision(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, d, rec string, at time.Time, panelAnswer bool, actor string) (DecisionResult, error) {
	res := DecisionResult{Ref: c.ref, Decision: d, At: at}
	who := "decided"
	if panelAnswer {
		who = "the National Panel's answer"
	}
	switch d {
	case DecisionNational:
		if !panelAnswer {
			res.Stage, res.AwaitingPanel = StageNational, true
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET stage = ?, awaiting_panel = 1 WHERE id = ?`, StageNational, c.id); err != nil {
				return res, err
			}
			return res, audit(ctx, tx, now, c.id, actor, "decision", "a national review recommended to the National Panel; its answer awaited (Panel decision: national|local)")
		}
		res.Stage, res.Closed = StageClosed, "the National Panel will carry out a national review ("+t.londonDay(at)+")"
	case DecisionNone:
		res.Stage, res.Closed = StageClosed, "no further review decided ("+t.londonDay(at)+")"
		if l := RecommendationLabel(rec); l != "" && rec >= "d" {
			res.Closed += ": " + l + " (Rapid Review recommendation " + rec + ")"
		}
	case DecisionLocal:
		res.Stage = StageLCSPR
	case DecisionAlternative:
		res.Stage = StageAlternative
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET decision = ?, decision_rec = ?, decision_at = ?, awaiting_panel = 0, stage = ? WHERE id = ?`,
		d, rec, ts(at), res.Stage, c.id); err != nil {
		return res, err
	}
	if res.Closed != "" {
		if err := t.closeCase(ctx, tx, now, c.id, res.Closed, actor); err != nil { // settle.go
			return res, err
		}
	}
	if d == DecisionLocal {
		if err := t.setDeadline(ctx, tx, c.id, "lcspr_publication", "", map[Anchor]time.Time{AnchorDecision: at}); err != nil {
			return res, err
		}
		var due sql.NullString
		_ = tx.QueryRowContext(ctx, `SELECT due_at FROM deadlines WHERE case_id = ? AND rule = 'lcspr_publication' AND agency = ''`, c.id).Scan(&due)
		res.PublicationDue = parseTS(due)
	}
	return res, audit(ctx, tx, now, c.id, actor, "decision", fmt.Sprintf("%s: %s, on %s; stage %s", who, OutcomeWords(d, rec), t.londonDay(at), res.Stage))
}

// afterApproval records the decision a Rapid Review recommendation leads to, once its
// submission is approved: b opens the local review and starts the six-month clock; a
// waits for the National Panel's answer; c opens the lighter track; the others closed the
// case already and get their decision recorded.
func (t *Tracker) afterApproval(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, rec, actor string) error {
	d := decisionOfRecommendation(rec)
	if d == "" {
		return nil
	}
	c, err := loadCase(ctx, tx, "id = ?", caseID)
	if err != nil {
		return err
	}
	if c.stage == StageClosed {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET decision = ?, decision_rec = ?, decision_at = ? WHERE id = ?`, d, rec, ts(now), caseID); err != nil {
			return err
		}
		return audit(ctx, tx, now, caseID, actor, "decision", fmt.Sprintf("decided: %s, on %s", OutcomeWords(d, rec), t.londonDay(now)))
	}
	_, err = t.applyDecision(ctx, tx, now, c, d, rec, now, false, actor)
	return err
}

// DecisionDone is a decision as one line, for replies and the command line.
func DecisionDone(res DecisionResult, loc *time.Location) string {
	switch {
	case res.AwaitingPanel:
		return "a national review is recommended: the case waits for the National Panel's answer (Panel decision: national|local)"
	case res.Closed != "":
		return "case closed: " + res.Closed
	}
	s := fmt.Sprintf("%s decided on %s; stage %s", OutcomeWords(res.Decision, ""), res.At.In(loc).Format("Mon 2 Jan 2006"), res.Stage)
	if !res.PublicationDue.IsZero() {
		s += "; publication due by " + res.PublicationDue.In(loc).Format("15:04 Mon 2 Jan 2006") + " (lcspr_publication)"
	}
	return s
}
