package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
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
	Status      string     `json:"status"` // awaiting | received | nil_return | overdue | escalated | waived (a person waived it: not awaited, never late)
	ChasersSent int        `json:"chasers_sent"`
	Note        string     `json:"note,omitempty"`
	// Kind is what was asked for: scoping, chronology, agency_report or action_evidence;
	// Item names the action of an action_evidence return; What is what the panel sent a
	// submission back for.
	Kind string `json:"kind"`
	Item string `json:"item,omitempty"`
	What string `json:"what,omitempty"`
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// The columns of a deadline and of a return, after their case's id: one scanner each
// serves the queries for one case and those for every case at once. summaryDeadlineCols
// leaves out from_at, which no summary shows.
const (
	deadlineCols        = `case_id, rule, agency, from_at, due_at, status, met_at, note`
	summaryDeadlineCols = `case_id, rule, agency, due_at, status, met_at, note`
	returnCols          = `case_id, agency, email, requested_at, due_at, received_at, status, chasers_sent, note, kind, item, what`
)

// deadlineRow is where a row of deadlineCols (or summaryDeadlineCols) is scanned, reused
// from row to row: scanning then allocates nothing but the strings the driver makes.
type deadlineRow struct {
	caseID                          int64
	rule, agency, due, status, note string
	from, met                       sql.NullString
	dest                            []any
	metAt                           timeSlab
}

func newDeadlineRow(withFrom bool) *deadlineRow {
	r := &deadlineRow{}
	if withFrom {
		r.dest = []any{&r.caseID, &r.rule, &r.agency, &r.from, &r.due, &r.status, &r.met, &r.note}
	} else {
		r.dest = []any{&r.caseID, &r.rule, &r.agency, &r.due, &r.status, &r.met, &r.note}
	}
	return r
}

// scan reads one row; a deadline stored pending and now past is "missed". due is
// due_at as stored.
func (r *deadlineRow) scan(rows *sql.Rows, now time.Time) (caseID int64, d Deadline, due string, err error) {
	if err := rows.Scan(r.dest...); err != nil {
		return 0, d, "", err
	}
	d = Deadline{Rule: r.rule, Agency: r.agency, From: parseTS(r.from), Due: parseTS(sql.NullString{String: r.due, Valid: true}), Status: r.status, Note: r.note}
	if m := parseTS(r.met); !m.IsZero() {
		d.MetAt = r.metAt.ptr(m)
	}
	if d.Status == "pending" && now.After(d.Due) {
		d.Status = "missed"
	}
	return r.caseID, d, r.due, nil
}

// returnRow is where a row of returnCols is scanned, reused as deadlineRow is.
type returnRow struct {
	caseID                                        int64
	agency, email, status, note, kind, item, what string
	chasers                                       int
	req, due, rec                                 sql.NullString
	dest                                          []any
	received                                      timeSlab
}

func newReturnRow() *returnRow {
	r := &returnRow{}
	r.dest = []any{&r.caseID, &r.agency, &r.email, &r.req, &r.due, &r.rec, &r.status, &r.chasers, &r.note, &r.kind, &r.item, &r.what}
	return r
}

// scan reads one row; an awaited return now past its due time is "overdue".
func (r *returnRow) scan(rows *sql.Rows, now time.Time) (caseID int64, ret Return, err error) {
	if err := rows.Scan(r.dest...); err != nil {
		return 0, ret, err
	}
	ret = Return{Agency: r.agency, Email: r.email, RequestedAt: parseTS(r.req), Due: parseTS(r.due), ReceivedAt: parseTS(r.rec),
		Status: r.status, ChasersSent: r.chasers, Note: r.note, Kind: r.kind, Item: r.item, What: r.what}
	if !ret.ReceivedAt.IsZero() {
		ret.Received = r.received.ptr(ret.ReceivedAt)
	}
	if ret.Status == "awaiting" && now.After(ret.Due) {
		ret.Status = "overdue"
	}
	return r.caseID, ret, nil
}

// timeSlab hands out pointers to times (Deadline.MetAt, Return.Received) from blocks, not
// one allocation each.
type timeSlab []time.Time

func (s *timeSlab) ptr(t time.Time) *time.Time {
	if len(*s) == cap(*s) {
		*s = make([]time.Time, 0, 256)
	}
	*s = append(*s, t)
	return &(*s)[len(*s)-1]
}

func deadlines(ctx context.Context, q querier, caseID int64, now time.Time) ([]Deadline, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deadlineCols+` FROM deadlines WHERE case_id = ? ORDER BY due_at, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Deadline
	r := newDeadlineRow(true)
	for rows.Next() {
		_, d, _, err := r.scan(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func returns(ctx context.Context, q querier, caseID int64, now time.Time) ([]Return, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+returnCols+` FROM returns WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Return
	r := newReturnRow()
	for rows.Next() {
		_, ret, err := r.scan(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ret)
	}
	return out, rows.Err()
}

// rag is a return's red/amber/green status: green when in or comfortably in time, amber
// when due within a working day, red when overdue or escalated.
func (r Return) rag(now time.Time, cal *Calendar) string {
	return r.ragBy(cal.AddWorkingDays(now, 1))
}

// ragBy is rag with the next working day's cut-off after now already worked out, for
// lists.
func (r Return) ragBy(nextCutoff time.Time) string {
	switch r.Status {
	case "received", "nil_return", "waived":
		return "green"
	case "overdue", "escalated":
		return "red"
	}
	if !nextCutoff.Before(r.Due) {
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
	// LearningEvent is the local review's practitioner learning event and who answered
	// (lcspr_learning.go); nil when none is set.
	LearningEvent *LearningView `json:"learning_event,omitempty"`
}

// Cases lists every case, oldest first: three queries, whatever the number of cases,
// each reading only the columns a summary shows. The deadlines, the most rows, are read
// on one connection while the cases and returns are read on another, both in read
// transactions that see the same committed state (viewPair).
func (s *Store) Cases(ctx context.Context) ([]CaseSummary, error) {
	now := s.Now()
	var cl caseList
	var dl deadlineList
	var rl returnList
	// Deadlines and returns in table order, the cheapest to read; assemble puts each
	// case's deadlines in (due_at, id) order. The largest id sizes each list (ids are
	// handed out in order, so they bound the rows): an index's last entry, where count(*)
	// would read every one.
	err := s.viewPair(ctx, func(rt *readTx) error {
		return dl.read(ctx, rt, now, `SELECT coalesce(max(id), 0) FROM deadlines`, `SELECT `+summaryDeadlineCols+` FROM deadlines ORDER BY id`)
	}, func(rt *readTx) error {
		if err := cl.read(ctx, rt, `SELECT id, ref, stage, child_initials, referral_received, needs_completion FROM cases ORDER BY id`); err != nil {
			return err
		}
		return rl.read(ctx, rt, now, `SELECT coalesce(max(id), 0) FROM returns`, `SELECT `+returnCols+` FROM returns ORDER BY id`)
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: cases: %w", err)
	}
	return assemble(cl, dl, rl), nil
}

// summaries builds case summaries in rt with one query per list, whatever the number of
// cases: cases (id, ref, stage, child_initials, referral_received, needs_completion) in
// id order; their deadlines (summaryDeadlineCols) in id order, or (case_id, due_at, id)
// order; their returns (returnCols) in id order within each case; all given args.
func summaries(ctx context.Context, rt *readTx, now time.Time, cases, deadlines, returns string, args ...any) ([]CaseSummary, error) {
	var cl caseList
	var dl deadlineList
	var rl returnList
	if err := cl.read(ctx, rt, cases, args...); err != nil {
		return nil, err
	}
	if err := dl.read(ctx, rt, now, "", deadlines, args...); err != nil {
		return nil, err
	}
	if err := rl.read(ctx, rt, now, "", returns, args...); err != nil {
		return nil, err
	}
	return assemble(cl, dl, rl), nil
}

// caseList is cases as read, in id order, their lists still empty.
type caseList struct {
	ids []int64
	cs  []CaseSummary
}

func (l *caseList) read(ctx context.Context, rt *readTx, query string, args ...any) error {
	*l = caseList{cs: []CaseSummary{}}
	rows, err := rt.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var received sql.NullString
		cs := CaseSummary{OverdueReturns: []string{}, Deadlines: []Deadline{}, Returns: []Return{}}
		if err := rows.Scan(&id, &cs.Ref, &cs.Stage, &cs.ChildInitials, &received, &cs.NeedsCompletion); err != nil {
			return err
		}
		cs.ReferralReceived = parseTS(received)
		l.ids = append(l.ids, id)
		l.cs = append(l.cs, cs)
	}
	return rows.Err()
}

// deadlineList is deadlines read in table order and then put together by case, in
// (due_at, id) order within each: those of case groups[g].id are ds[groups[g].lo:groups[g].hi].
type deadlineList struct {
	ds     []Deadline
	dues   []string // due_at as stored, beside each
	cases  []int64  // the case's id, beside each, until grouped
	groups []caseRows
}

// read reads query's rows; sizeQuery, if not "", gives a number of rows at least as
// large (and not much larger) to size the lists.
func (l *deadlineList) read(ctx context.Context, rt *readTx, now time.Time, sizeQuery, query string, args ...any) error {
	n, err := listSize(ctx, rt, sizeQuery)
	if err != nil {
		return err
	}
	*l = deadlineList{ds: make([]Deadline, 0, n), dues: make([]string, 0, n), cases: make([]int64, 0, n)}
	rows, err := rt.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	r := newDeadlineRow(false)
	for rows.Next() {
		id, d, due, err := r.scan(rows, now)
		if err != nil {
			return err
		}
		l.ds, l.dues, l.cases = append(l.ds, d), append(l.dues, due), append(l.cases, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// A case's deadlines are put in the text order of their due_at as stored, as ORDER BY
	// due_at gives them.
	perm, groups := byCaseID(l.cases)
	l.ds, l.dues, l.cases, l.groups = permute(l.ds, perm), permute(l.dues, perm), nil, groups
	for _, g := range groups {
		if ds, dues := l.ds[g.lo:g.hi], l.dues[g.lo:g.hi]; !sort.StringsAreSorted(dues) {
			sort.Stable(byDue{ds, dues})
		}
	}
	return nil
}

// returnList is returns read in table order and then put together by case, as
// deadlineList, each case's in the order read.
type returnList struct {
	rs     []Return
	cases  []int64
	groups []caseRows
}

func (l *returnList) read(ctx context.Context, rt *readTx, now time.Time, sizeQuery, query string, args ...any) error {
	n, err := listSize(ctx, rt, sizeQuery)
	if err != nil {
		return err
	}
	*l = returnList{rs: make([]Return, 0, n), cases: make([]int64, 0, n)}
	rows, err := rt.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	r := newReturnRow()
	for rows.Next() {
		id, ret, err := r.scan(rows, now)
		if err != nil {
			return err
		}
		l.rs, l.cases = append(l.rs, ret), append(l.cases, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	perm, groups := byCaseID(l.cases)
	l.rs, l.cases, l.groups = permute(l.rs, perm), nil, groups
	return nil
}

func listSize(ctx context.Context, rt *readTx, query string) (int, error) {
	if query == "" {
		return 0, nil
	}
	rows, err := rt.query(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// assemble gives each case its deadlines, its returns, the agencies of its overdue
// returns and its next pending deadline: cases and groups are both in id order, so one
// walk pairs them. Deadlines and returns of a case not in cl are left out.
func assemble(cl caseList, dl deadlineList, rl returnList) []CaseSummary {
	out := cl.cs
	d, r := 0, 0
	for i, id := range cl.ids {
		c := &out[i]
		for d < len(dl.groups) && dl.groups[d].id < id {
			d++
		}
		if d < len(dl.groups) && dl.groups[d].id == id {
			g := dl.groups[d]
			c.Deadlines = dl.ds[g.lo:g.hi:g.hi]
		}
		for r < len(rl.groups) && rl.groups[r].id < id {
			r++
		}
		if r < len(rl.groups) && rl.groups[r].id == id {
			g := rl.groups[r]
			c.Returns = rl.rs[g.lo:g.hi:g.hi]
			for _, ret := range c.Returns {
				if ret.Status == "overdue" || ret.Status == "escalated" {
					c.OverdueReturns = append(c.OverdueReturns, ret.Agency)
				}
			}
		}
		for j, dd := range c.Deadlines {
			if dd.Status == "pending" {
				c.NextDeadline = &c.Deadlines[j]
				break
			}
		}
	}
	return out
}

// caseRows are the rows of one case in a list grouped by case: lo up to hi.
type caseRows struct {
	id     int64
	lo, hi int
}

// byCaseID orders rows read in table order, cases[k] the id of row k's case, by case id,
// each case's rows in the order read: row perm[j] goes j-th. groups are the cases in id
// order. Ids are dense enough (SQLite hands them out in order) for a counting sort; when
// they are not, a stable sort.
func byCaseID(cases []int64) (perm []int32, groups []caseRows) {
	n := len(cases)
	if n == 0 {
		return nil, nil
	}
	lo, hi := cases[0], cases[0]
	for _, id := range cases {
		lo, hi = min(lo, id), max(hi, id)
	}
	perm = make([]int32, n)
	if hi-lo < int64(4*n+1024) {
		start := make([]int32, hi-lo+2)
		for _, id := range cases {
			start[id-lo+1]++
		}
		for i := 1; i < len(start); i++ {
			if start[i] > 0 {
				groups = append(groups, caseRows{id: lo + int64(i) - 1, lo: int(start[i-1]), hi: int(start[i-1] + start[i])})
			}
			start[i] += start[i-1]
		}
		for k, id := range cases {
			perm[start[id-lo]] = int32(k)
			start[id-lo]++
		}
		return perm, groups
	}
	for k := range perm {
		perm[k] = int32(k)
	}
	sort.SliceStable(perm, func(i, j int) bool { return cases[perm[i]] < cases[perm[j]] })
	for j := 0; j < n; {
		k := j
		for k < n && cases[perm[k]] == cases[perm[j]] {
			k++
		}
		groups = append(groups, caseRows{id: cases[perm[j]], lo: j, hi: k})
		j = k
	}
	return perm, groups
}

// permute is items in the order perm gives.
func permute[T any](items []T, perm []int32) []T {
	out := make([]T, len(items))
	for j, k := range perm {
		out[j] = items[k]
	}
	return out
}

// groupByCase puts items, read in table order with owner[k] the index of item k's case
// among cases, together by case, each case's in the order read; the items of case i are
// then at start[i] up to start[i+1].
func groupByCase[T any](items []T, owner []int, cases int) (grouped []T, start []int) {
	start = make([]int, cases+1)
	for _, o := range owner {
		start[o+1]++
	}
	for i := 0; i < cases; i++ {
		start[i+1] += start[i]
	}
	next := append([]int(nil), start[:cases]...)
	grouped = make([]T, len(items))
	for k, o := range owner {
		grouped[next[o]] = items[k]
		next[o]++
	}
	return grouped, start
}

// byDue sorts a case's deadlines, read in id order, by due_at as stored; a stable sort
// keeps id order among equals.
type byDue struct {
	ds  []Deadline
	due []string
}

func (b byDue) Len() int           { return len(b.ds) }
func (b byDue) Less(i, j int) bool { return b.due[i] < b.due[j] }
func (b byDue) Swap(i, j int) {
	b.ds[i], b.ds[j] = b.ds[j], b.ds[i]
	b.due[i], b.due[j] = b.due[j], b.due[i]
}

// byDueText sorts names by their due_at as stored, as byDue does deadlines.
type byDueText struct{ names, due []string }

func (b byDueText) Len() int           { return len(b.names) }
func (b byDueText) Less(i, j int) bool { return b.due[i] < b.due[j] }
func (b byDueText) Swap(i, j int) {
	b.names[i], b.names[j] = b.names[j], b.names[i]
	b.due[i], b.due[j] = b.due[j], b.due[i]
}

// CaseLine is one line of `csprbot cases`: a case, its next pending deadline, the case's
// own deadlines that passed undone (missed: the notification to the National Panel, say)
// and the agencies whose returns are overdue, as Cases would give them.
type CaseLine struct {
	Ref             string
	Stage           string
	ChildInitials   string
	NeedsCompletion bool
	NextDeadline    *Deadline // Rule, Agency and Due only
	MissedDeadlines []string  // rules of the case's own deadlines (no agency) now missed, by due time
	OverdueReturns  []string
}

// MissedDeadlines are the rules of cs's own deadlines (those of no one agency: an
// agency's are its overdue returns) that are missed, in due order: what CaseLine holds.
func (cs CaseSummary) MissedDeadlines() []string {
	out := []string{}
	for _, d := range cs.Deadlines {
		if d.Status == "missed" && d.Agency == "" {
			out = append(out, d.Rule)
		}
	}
	return out
}

// CaseLines lists every case, oldest first, with what `csprbot cases` shows of it: two
// queries, the cases with their next deadline (found by SQLite through an index) and the
// overdue returns, so that the list costs a row per case, not all their deadlines.
func (s *Store) CaseLines(ctx context.Context) ([]CaseLine, error) {
	after := pastKey(s.Now())
	var out []CaseLine
	err := s.view(ctx, func(rt *readTx) error {
		out = []CaseLine{} // set, not added to: a read may run again (readAgain)
		// A deadline stored pending is missed once due_at < after (deadlineRow.scan's test),
		// and an awaited return then overdue (returnRow.scan's): times are stored as ts()
		// writes them, whose text order is their time order.
		rows, err := rt.query(ctx, `SELECT c.id, c.ref, c.stage, c.child_initials, c.needs_completion, n.rule, n.agency, n.due_at
			FROM cases c LEFT JOIN deadlines n ON n.id = (SELECT d.id FROM deadlines d
				WHERE d.case_id = c.id AND d.status = 'pending' AND d.due_at >= ? ORDER BY d.due_at, d.id LIMIT 1)
			ORDER BY c.id`, after)
		if err != nil {
			return err
		}
		index := map[int64]int{}
		for rows.Next() {
			var id int64
			var l CaseLine
			var rule, agency, due sql.NullString
			if err := rows.Scan(&id, &l.Ref, &l.Stage, &l.ChildInitials, &l.NeedsCompletion, &rule, &agency, &due); err != nil {
				rows.Close()
				return err
			}
			if rule.Valid {
				l.NextDeadline = &Deadline{Rule: rule.String, Agency: agency.String, Due: parseTS(due), Status: "pending"}
			}
			l.MissedDeadlines, l.OverdueReturns = []string{}, []string{}
			index[id] = len(out)
			out = append(out, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The case's own deadlines passed undone: a statutory step not taken is seen at
		// a glance, not only the returns agencies owe. Read in table order (NOT INDEXED:
		// through deadlines_case_due every row is looked up again in the table, half as
		// fast again), then put in (due_at, id) order within each case here.
		if rows, err = rt.query(ctx, `SELECT case_id, rule, due_at FROM deadlines NOT INDEXED
			WHERE agency = '' AND (status = 'missed' OR (status = 'pending' AND due_at < ?)) ORDER BY id`, after); err != nil {
			return err
		}
		var rules, dues []string
		var owner []int
		for rows.Next() {
			var id int64
			var rule, due string
			if err := rows.Scan(&id, &rule, &due); err != nil {
				rows.Close()
				return err
			}
			if i, ok := index[id]; ok {
				rules, dues, owner = append(rules, rule), append(dues, due), append(owner, i)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rules, start := groupByCase(rules, owner, len(out))
		dues, _ = groupByCase(dues, owner, len(out))
		for i := range out {
			if lo, hi := start[i], start[i+1]; hi > lo {
				if !sort.StringsAreSorted(dues[lo:hi]) {
					sort.Stable(byDueText{rules[lo:hi], dues[lo:hi]})
				}
				out[i].MissedDeadlines = append(out[i].MissedDeadlines, rules[lo:hi]...)
			}
		}
		// In table order too: through returns_status the rows are looked up and sorted.
		if rows, err = rt.query(ctx, `SELECT case_id, agency FROM returns NOT INDEXED
			WHERE status IN ('overdue', 'escalated') OR (status = 'awaiting' AND due_at < ?) ORDER BY id`, after); err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var agency string
			if err := rows.Scan(&id, &agency); err != nil {
				return err
			}
			if i, ok := index[id]; ok {
				out[i].OverdueReturns = append(out[i].OverdueReturns, agency)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: cases: %w", err)
	}
	return out, nil
}

// pastKey is the stored time text below which a time is before now: a due time t (whole
// seconds, as ts() stores it) is passed, now.After(t), exactly when ts(t) < pastKey(now).
func pastKey(now time.Time) string {
	s := now.Truncate(time.Second)
	if s.Equal(now) {
		return ts(now)
	}
	return ts(s.Add(time.Second))
}

// Case returns one case by reference, read in one read transaction.
func (s *Store) Case(ctx context.Context, ref string) (*CaseDetail, error) {
	now := s.Now()
	var d *CaseDetail
	err := s.view(ctx, func(rt *readTx) error {
		var err error
		d, err = caseDetail(ctx, rt, ref, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: case %s: %w", ref, dbErr(err))
	}
	return d, nil
}

func caseDetail(ctx context.Context, rt *readTx, ref string, now time.Time) (*CaseDetail, error) {
	d := &CaseDetail{Agencies: []AgencyView{}, Messages: []MessageEntry{}, Audit: []AuditEntry{}}
	rows, err := rt.query(ctx, `SELECT id, incident_date, incident_kind, looked_after, referrer_agency, referrer_email FROM cases WHERE ref = ?`, ref)
	if err != nil {
		return nil, err
	}
	var id int64
	found := rows.Next()
	if found {
		err = rows.Scan(&id, &d.IncidentDate, &d.IncidentKind, &d.LookedAfter, &d.ReferrerAgency, &d.ReferrerEmail)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, sql.ErrNoRows
	}
	sums, err := summaries(ctx, rt, now,
		`SELECT id, ref, stage, child_initials, referral_received, needs_completion FROM cases WHERE id = ?`,
		`SELECT `+summaryDeadlineCols+` FROM deadlines WHERE case_id = ? ORDER BY due_at, id`,
		`SELECT `+returnCols+` FROM returns WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	if len(sums) != 1 {
		return nil, sql.ErrNoRows
	}
	d.CaseSummary = sums[0]
	if d.LearningEvent, err = learningView(ctx, rt, id); err != nil {
		return nil, err
	}
	if rows, err = rt.query(ctx, `SELECT name, email, partner, reason FROM case_agencies WHERE case_id = ? ORDER BY id`, id); err != nil {
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rows, err = rt.query(ctx, `
		SELECT 'in', received_at, message_id, from_addr, subject, disposition, '', agency, note FROM messages WHERE case_id = ?1
		UNION ALL
		SELECT 'out', coalesce(sent_at, created_at), message_id, recipients, subject, kind, status, agency, last_error FROM outbox WHERE case_id = ?1
		ORDER BY 2, 1, 3`, id); err != nil {
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rows, err = rt.query(ctx, `SELECT at, actor, event, detail FROM audit WHERE case_id = ? ORDER BY id`, id); err != nil {
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
