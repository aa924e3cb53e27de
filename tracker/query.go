package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Deadline is one deadline of a case, as `csprbot cases --json` shows it.
type Deadline struct {
	Rule   string     `json:"rule"`
	Agency string     `json:"agency,omitempty"`
	From   time.Time  `json:"-"`
	Due    time.Time  `json:"due"`
	Status string     `json:"status"` // pending | met | missed | waived
	MetAt  *time.Time `json:"met_at,omitempty"`
	Note   string     `json:"note,omitempty"`
}

// Return is one agency's scoping return.
type Return struct {
	Agency      string     `json:"agency"`
	Email       string     `json:"email"`
	RequestedAt time.Time  `json:"requested_at"`
	Due         time.Time  `json:"due"`
	ReceivedAt  time.Time  `json:"-"`
	Received    *time.Time `json:"received_at"`
	Status      string     `json:"status"` // awaiting | received | nil_return | overdue | escalated
	ChasersSent int        `json:"chasers_sent"`
	Note        string     `json:"note,omitempty"`
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func deadlines(ctx context.Context, q querier, caseID int64, now time.Time) ([]Deadline, error) {
	rows, err := q.QueryContext(ctx, `SELECT rule, agency, from_at, due_at, status, met_at, note FROM deadlines WHERE case_id = ? ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Deadline
	for rows.Next() {
		var d Deadline
		var from, due, met sql.NullString
		if err := rows.Scan(&d.Rule, &d.Agency, &from, &due, &d.Status, &met, &d.Note); err != nil {
			return nil, err
		}
		d.From, d.Due = parseTS(from), parseTS(due)
		if m := parseTS(met); !m.IsZero() {
			d.MetAt = &m
		}
		if d.Status == "pending" && now.After(d.Due) {
			d.Status = "missed"
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func returns(ctx context.Context, q querier, caseID int64, now time.Time) ([]Return, error) {
	rows, err := q.QueryContext(ctx, `SELECT agency, email, requested_at, due_at, received_at, status, chasers_sent, note FROM returns WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Return
	for rows.Next() {
		var r Return
		var req, due, rec sql.NullString
		if err := rows.Scan(&r.Agency, &r.Email, &req, &due, &rec, &r.Status, &r.ChasersSent, &r.Note); err != nil {
			return nil, err
		}
		r.RequestedAt, r.Due, r.ReceivedAt = parseTS(req), parseTS(due), parseTS(rec)
		if !r.ReceivedAt.IsZero() {
			x := r.ReceivedAt
			r.Received = &x
		}
		if r.Status == "awaiting" && now.After(r.Due) {
			r.Status = "overdue"
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// rag is a return's red/amber/green status: green when in or comfortably in time, amber
// when due within a working day, red when overdue or escalated.
func (r Return) rag(now time.Time, cal *Calendar) string {
	switch r.Status {
	case "received", "nil_return":
		return "green"
	case "overdue", "escalated":
		return "red"
	}
	if !cal.AddWorkingDays(now, 1).Before(r.Due) {
		return "amber"
	}
	return "green"
}

// CaseSummary is a case as `csprbot cases --json` prints it.
type CaseSummary struct {
	Ref              string     `json:"ref"`
	Stage            string     `json:"stage"`
	ChildInitials    string     `json:"child_initials"`
	ReferralReceived time.Time  `json:"referral_received"`
	NeedsCompletion  bool       `json:"needs_completion"`
	NextDeadline     *Deadline  `json:"next_deadline"`
	OverdueReturns   []string   `json:"overdue_returns"`
	Deadlines        []Deadline `json:"deadlines"`
	Returns          []Return   `json:"returns"`
}

// MessageEntry is one message in or out of a case.
type MessageEntry struct {
	Direction string    `json:"direction"` // in | out
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id"`
	Address   string    `json:"address"` // from (in) or to (out)
	Subject   string    `json:"subject"`
	Kind      string    `json:"kind"` // disposition (in) or template (out)
	Status    string    `json:"status"`
	Agency    string    `json:"agency,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Event  string    `json:"event"`
	Detail string    `json:"detail"`
}

// CaseDetail is one case with everything that happened on it.
type CaseDetail struct {
	CaseSummary
	IncidentDate   string         `json:"incident_date"`
	IncidentKind   string         `json:"incident_kind"`
	LookedAfter    bool           `json:"looked_after"`
	ReferrerAgency string         `json:"referrer_agency"`
	ReferrerEmail  string         `json:"referrer_email"`
	Agencies       []AgencyView   `json:"agencies"`
	Messages       []MessageEntry `json:"messages"`
	Audit          []AuditEntry   `json:"audit"`
}

// Cases lists every case, oldest first.
func (s *Store) Cases(ctx context.Context) ([]CaseSummary, error) {
	now := s.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM cases ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tracker: cases: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []CaseSummary{}
	for _, id := range ids {
		c, err := s.summary(ctx, id, now)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Store) summary(ctx context.Context, id int64, now time.Time) (CaseSummary, error) {
	c, err := loadCase(ctx, s.db, "id = ?", id)
	if err != nil {
		return CaseSummary{}, fmt.Errorf("tracker: case: %w", err)
	}
	cs := CaseSummary{Ref: c.ref, Stage: c.stage, ChildInitials: c.initials, ReferralReceived: c.received, NeedsCompletion: c.needs,
		OverdueReturns: []string{}}
	if cs.Deadlines, err = deadlines(ctx, s.db, id, now); err != nil {
		return cs, err
	}
	if cs.Returns, err = returns(ctx, s.db, id, now); err != nil {
		return cs, err
	}
	if cs.Deadlines == nil {
		cs.Deadlines = []Deadline{}
	}
	if cs.Returns == nil {
		cs.Returns = []Return{}
	}
	for i, d := range cs.Deadlines {
		if d.Status == "pending" {
			cs.NextDeadline = &cs.Deadlines[i]
			break
		}
	}
	for _, r := range cs.Returns {
		if r.Status == "overdue" || r.Status == "escalated" {
			cs.OverdueReturns = append(cs.OverdueReturns, r.Agency)
		}
	}
	return cs, nil
}

// Case returns one case by reference.
func (s *Store) Case(ctx context.Context, ref string) (*CaseDetail, error) {
	now := s.Now()
	c, err := loadCase(ctx, s.db, "ref = ?", ref)
	if err != nil {
		return nil, fmt.Errorf("tracker: case %s: %w", ref, err)
	}
	sum, err := s.summary(ctx, c.id, now)
	if err != nil {
		return nil, err
	}
	d := &CaseDetail{CaseSummary: sum, IncidentDate: c.incidentDate, IncidentKind: c.incidentKind, LookedAfter: c.lookedAfter,
		ReferrerAgency: c.referrerAgency, ReferrerEmail: c.referrerEmail, Agencies: []AgencyView{}, Messages: []MessageEntry{}, Audit: []AuditEntry{}}
	rows, err := s.db.QueryContext(ctx, `SELECT name, email, partner, reason FROM case_agencies WHERE case_id = ? ORDER BY id`, c.id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a AgencyView
		if err := rows.Scan(&a.Name, &a.Email, &a.Partner, &a.Reason); err != nil {
			rows.Close()
			return nil, err
		}
		d.Agencies = append(d.Agencies, a)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `
		SELECT 'in', received_at, message_id, from_addr, subject, disposition, '', agency, note FROM messages WHERE case_id = ?
		UNION ALL
		SELECT 'out', coalesce(sent_at, created_at), message_id, recipients, subject, kind, status, agency, last_error FROM outbox WHERE case_id = ?
		ORDER BY 2, 1, 3`, c.id, c.id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m MessageEntry
		var at sql.NullString
		if err := rows.Scan(&m.Direction, &at, &m.MessageID, &m.Address, &m.Subject, &m.Kind, &m.Status, &m.Agency, &m.Note); err != nil {
			rows.Close()
			return nil, err
		}
		m.At = parseTS(at)
		d.Messages = append(d.Messages, m)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT at, actor, event, detail FROM audit WHERE case_id = ? ORDER BY id`, c.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a AuditEntry
		var at sql.NullString
		if err := rows.Scan(&at, &a.Actor, &a.Event, &a.Detail); err != nil {
			return nil, err
		}
		a.At = parseTS(at)
		d.Audit = append(d.Audit, a)
	}
	return d, rows.Err()
}
