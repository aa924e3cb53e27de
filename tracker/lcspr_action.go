package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// FormActionPlan is the parser's kind for the multi-agency action plan.
const FormActionPlan = "action_plan"

// NoticeSignOffReply marks the action_signoff email that answers the MESI subgroup's reply
// (what csprbot recorded), not the request to sign off.
const NoticeSignOffReply = "signoff_reply"

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
	if why := formMismatch(f, c.ref, c.initials); why != "" {
		// Another case's action plan never sets this case's actions (as a scoping form or
		// a chronology printed for another case is never filed on this one).
		return res, fmt.Errorf("%w: %s; the action plan is not used and no evidence is asked for: send it on its own case, or correct it", ErrRefused, why)
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
	// The actions already tracked, by their wording: a revised plan (an action inserted,
	// the rows renumbered) asks nothing again of an action it repeats.
	type known struct {
		id           int64
		item, status string
	}
	have := map[string]known{}
	krows, err := tx.QueryContext(ctx, `SELECT id, item, status FROM returns WHERE case_id = ? AND kind = 'action_evidence' ORDER BY id`, c.id)
	if err != nil {
		return res, err
	}
	for krows.Next() {
		var k known
		if err := krows.Scan(&k.id, &k.item, &k.status); err != nil {
			krows.Close()
			return res, err
		}
		_, text, _ := strings.Cut(k.item, ":")
		if _, dup := have[actionWording(text)]; !dup {
			have[actionWording(text)] = k
		}
	}
	krows.Close()
	if err := krows.Err(); err != nil {
		return res, err
	}
	for i, r := range rows {
		action := strings.TrimSpace(r["action"])
		if action == "" {
			continue
		}
		item := fmt.Sprintf("A%d: %s", i+1, clipLine(action, 100))
		prev, tracked := have[actionWording(clipLine(action, 100))]
		if tracked {
			item = prev.item
		}
		d, derr := ParseLondonDate(r["due"], loc)
		name, email := t.agencyAddress(ctx, tx, c.id, r["owner"])
		if derr != nil || email == "" {
			why := "owner " + orNone(strings.TrimSpace(r["owner"])) + " has no address csprbot may use"
			if derr != nil {
				why = fmt.Sprintf("due date %q could not be read", r["due"])
			}
			if tracked && prev.status != actionForPerson {
				res.Already = append(res.Already, item)
				continue
			}
			res.Unknown = append(res.Unknown, item+" ("+why+")")
			if tracked {
				continue
			}
			// Tracked as an open action that nobody is asked for by email: the case does
			// not close while it is open (a person sees to it; staff's Signed off: names it).
			owner := name
			if owner == "" {
				owner = strings.TrimSpace(r["owner"])
			}
			due := now
			if derr == nil {
				due = t.cal.At(d, 17, 0)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, request_msgid, kind, item, status, note) VALUES (?, ?, '', ?, ?, ?, '', 'action_evidence', ?, ?, ?)`,
				c.id, owner, ts(now), ts(due), ts(now), item, actionForPerson, "for a person: "+why); err != nil {
				return res, err
			}
			have[actionWording(clipLine(action, 100))] = known{item: item, status: actionForPerson}
			continue
		}
		if tracked && prev.status != actionForPerson {
			res.Already = append(res.Already, item)
			continue
		}
		due := t.cal.At(d, 17, 0)
		av := t.agencyView(ctx, tx, c.id, name)
		av.Name, av.Email = name, email
		id, err := t.enqueue(ctx, tx, now, outMsg{caseID: c.id, agency: name, tmpl: TmplLCSPRRequest, to: []string{email},
			data: &MailData{Case: view, Agency: av, Due: due, LCSPR: &LCSPRView{Kind: ReturnActionEvidence, KindLabel: ReturnKindLabel(ReturnActionEvidence), Item: item}}})
		if err != nil {
			return res, err
		}
		if tracked {
			// An action that was for a person now has an owner's address and a date.
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET agency = ?, email = ?, requested_at = ?, due_at = ?, due_set_at = ?, request_msgid = ?, status = 'awaiting', note = '' WHERE id = ?`,
				name, normAddr(email), ts(now), ts(due), ts(now), id, prev.id); err != nil {
				return res, err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO returns(case_id, agency, email, requested_at, due_at, due_set_at, request_msgid, kind, item) VALUES (?, ?, ?, ?, ?, ?, ?, 'action_evidence', ?)`,
			c.id, name, normAddr(email), ts(now), ts(due), ts(now), id, item); err != nil {
			return res, err
		}
		have[actionWording(clipLine(action, 100))] = known{item: item, status: "awaiting"}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines(case_id, rule, agency, due_at, note) VALUES (?, 'action_plan', ?, ?, ?)
			ON CONFLICT(case_id, rule, agency) DO UPDATE SET due_at = excluded.due_at`, c.id, item, ts(due), "owner: "+name); err != nil {
			return res, err
		}
		res.Asked = append(res.Asked, fmt.Sprintf("%s (%s, by %s)", item, name, due.In(loc).Format("Mon 2 Jan 2006")))
	}
	return res, audit(ctx, tx, now, c.id, actor, "action_plan", fmt.Sprintf("action plan from %s: evidence asked for %d actions; %d for a person", actor, len(res.Asked), len(res.Unknown)))
}

// actionForPerson is the status of an action csprbot asks nobody for (its owner has no
// address, or its date could not be read): open until staff sign it off.
const actionForPerson = "for_person"

// actionWording is an action's words, compared across revisions of the plan: lower case,
// letters and digits only, one space between words.
func actionWording(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
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
// open action. The owner's only open action takes a message that answers no request of
// its own, unless it answers another request (a late chronology, in reply to the
// chronology request) or carries a chronology or agency report. Evidence is a document,
// or the owner's own words that the action is done; anything else ("Could we have until
// September?") is recorded and shown to staff, and the action stays awaited and chased.
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
	asked := id != 0
	if id == 0 && n == 1 {
		other, err := t.answersAnotherRequest(ctx, tx, tt.caseID, ids)
		if err != nil {
			return false, err
		}
		if !other && !carriesReturnDocument(in) {
			id, item = only, onlyItem
		}
	}
	if id == 0 {
		return false, nil
	}
	if !evidenceAttached(in) && !saysDone(ownText(in.Text, 60)) {
		if !asked {
			return false, nil // not evidence, nor about the action by its thread: read as any reply
		}
		// Not evidence: a question, a request for more time, a note that work has not
		// started. A person reads it; the action is still awaited and chased.
		res.Disposition = DispForPerson
		said := clipLine(ownText(in.Text, 30), 600)
		if said == "" {
			said = "(nothing above the quoted text)"
		}
		if err := audit(ctx, tx, now, tt.caseID, tt.agency, "action_reply", "a reply about "+item+" with no evidence (no document, and it does not say the action is done): "+said); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s replied about action %s, with no document and without saying it is done, so it is not taken as evidence: the action is still awaited and chased. They wrote: \"%s\". If they ask for more time, agree a date with them (the action plan's date stands until then).", tt.agency, item, said), in)
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
		asked, err := t.enqueue(ctx, tx, now, outMsg{caseID: tt.caseID, agency: tt.agency, tmpl: TmplActionSignOff, to: []string{to}, extra: extra,
			data: &MailData{Case: view, Agency: t.agencyView(ctx, tx, tt.caseID, tt.agency), Lines: lines,
				LCSPR: &LCSPRView{Kind: ReturnActionEvidence, KindLabel: ReturnKindLabel(ReturnActionEvidence), Item: item, Key: strings.SplitN(item, ":", 2)[0]}}})
		if err != nil {
			return true, err
		}
		// A reply to this email signs off the action it asks about (mesiReply).
		if _, err := tx.ExecContext(ctx, `UPDATE returns SET signoff_msgid = ? WHERE id = ?`, asked, id); err != nil {
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

// answersAnotherRequest reports whether a message threads under csprbot's request for
// something other than an action's evidence (a chronology, an agency report, a scoping
// return), by the Message-IDs it answers.
func (t *Tracker) answersAnotherRequest(ctx context.Context, tx *sql.Tx, caseID int64, ids map[string]bool) (bool, error) {
	for x := range ids {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind != 'action_evidence' AND request_msgid = ?`, caseID, x).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// returnDocumentRe is a file named as a chronology, an agency report or a scoping return.
var returnDocumentRe = lazyRegexp(`(?i)(chronolog|agency[\s_-]*report|information[\s_-]*report|scoping)`)

// carriesReturnDocument reports whether a message carries a document that reads, or is
// named, as a chronology, an agency report or a scoping return: never an action's
// evidence by default.
func carriesReturnDocument(in *Incoming) bool {
	for _, a := range in.Attachments {
		if a.Form != nil && (a.Form.Kind == FormChronology || a.Form.Kind == FormAgencyReport || a.Form.Kind == FormScopingReturn) {
			return true
		}
		if returnDocumentRe().MatchString(a.Name) {
			return true
		}
	}
	return false
}

// signatureImageRe is an image mail clients put in a signature or inline (image001.png).
var signatureImageRe = lazyRegexp(`(?i)^(image|logo|signature|outlook-[a-z0-9]+)[\w-]*\.(png|jpe?g|gif|bmp|emz|wmz)$`)

// evidenceAttached reports whether a message carries a file that may be an action's
// evidence: any attachment but a signature's or inline image.
func evidenceAttached(in *Incoming) bool {
	for _, a := range in.Attachments {
		if a.Name == "" && len(a.Data) == 0 && a.File == "" {
			continue
		}
		if signatureImageRe().MatchString(strings.TrimSpace(a.Name)) {
			continue
		}
		return true
	}
	return false
}

var (
	// doneWords: the owner's own words that the action is done.
	doneWords = lazyRegexp(`(?i)\b(complete|completed|completion|done|finished|implemented|delivered|in place|rolled out|carried out|achieved|signed off|evidence (is )?(attached|below|enclosed|here))\b`)
	// doneHedge: a question, or words that it is not done yet.
	doneHedge = lazyRegexp(`(?i)(\?|\b(not|no|yet|until|extension|extend|more time|delay|delayed|postpone|postponed|partially|partly|in progress|ongoing|started|planned|plan to|will be|hope to|expect to|intend to|by the end|unable|cannot|can't|won't)\b|n't\b)`)
)

// saysDone reports whether an owner's own words say plainly that the action is done.
func saysDone(own string) bool {
	return doneWords().MatchString(own) && !doneHedge().MatchString(own)
}

// SignOff records the MESI subgroup's sign-off of actions' evidence (items "A1", "A2", or
// "all"): each is met; when every action is evidenced and signed off, the case closes.
func (t *Tracker) SignOff(ctx context.Context, ref, items, actor string) (string, error) {
	return onCase(ctx, t, ref, "sign off", func(tx *sql.Tx, now time.Time, c caseRow) (string, error) {
		return t.signOff(ctx, tx, now, c, items, actor)
	})
}

func (t *Tracker) signOff(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, items, actor string) (string, error) {
	return t.signOffWith(ctx, tx, now, c, items, actor, signOffOpts{})
}

// signOffOpts says who signs off and what the message answered.
type signOffOpts struct {
	prefer map[string]bool // items the answered email asked about: they settle a key two actions share
	mesi   bool            // the MESI subgroup's reply, not staff's command
}

func (t *Tracker) signOffWith(ctx context.Context, tx *sql.Tx, now time.Time, c caseRow, items, actor string, opt signOffOpts) (string, error) {
	want := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToUpper(items), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		want[w] = true
	}
	if len(want) == 0 {
		return "", fmt.Errorf("%w: which actions? Signed off: A1, A2 (or all)", ErrRefused)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, item, status, received_at, note FROM returns WHERE case_id = ? AND kind = 'action_evidence' ORDER BY id`, c.id)
	if err != nil {
		return "", err
	}
	type act struct {
		id                 int64
		item, status, note string
		received           sql.NullString
		key                string
	}
	var acts []act
	for rows.Next() {
		var a act
		if err := rows.Scan(&a.id, &a.item, &a.status, &a.received, &a.note); err != nil {
			rows.Close()
			return "", err
		}
		a.key, _, _ = strings.Cut(a.item, ":")
		acts = append(acts, a)
	}
	rows.Close()
	// Each key names one action. A key two actions share (a revised plan's new A1 beside
	// the first plan's A1) is settled by the one still awaiting sign-off, then by what the
	// answered email asked about; if still shared, neither is signed off by it.
	pick := map[int64]bool{}
	var ambiguous []string
	if !want["ALL"] {
		byKey := map[string][]act{}
		var order []string
		for _, a := range acts {
			k := strings.ToUpper(a.key)
			if !want[k] {
				continue
			}
			if _, ok := byKey[k]; !ok {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], a)
		}
		narrow := func(as []act, keep func(act) bool) []act {
			var out []act
			for _, a := range as {
				if keep(a) {
					out = append(out, a)
				}
			}
			if len(out) == 0 {
				return as
			}
			return out
		}
		for _, k := range order {
			as := byKey[k]
			if len(as) > 1 {
				as = narrow(as, func(a act) bool { return a.status == "received" && !strings.HasPrefix(a.note, "signed off") })
			}
			if len(as) > 1 {
				as = narrow(as, func(a act) bool { return opt.prefer[a.item] })
			}
			if len(as) > 1 {
				var names []string
				for _, a := range as {
					names = append(names, a.item)
				}
				ambiguous = append(ambiguous, k+" names more than one action ("+strings.Join(names, "; ")+")")
				continue
			}
			pick[as[0].id] = true
		}
	}
	var done, notYet, already []string
	for _, a := range acts {
		if !want["ALL"] && !pick[a.id] {
			continue
		}
		if a.status == actionForPerson {
			if opt.mesi || want["ALL"] {
				notYet = append(notYet, a.key+" (for a person: csprbot asks nobody for its evidence)")
				continue
			}
			// Staff name it: a person has seen to it, its evidence outside csprbot.
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET status = 'received', received_at = ?, note = ? WHERE id = ?`,
				ts(now), "signed off by "+actor+" on "+t.londonDay(now)+" (evidence seen by a person, not asked by csprbot)", a.id); err != nil {
				return "", err
			}
			done = append(done, a.key)
			continue
		}
		if a.status != "received" {
			notYet = append(notYet, a.key)
			continue
		}
		if strings.HasPrefix(a.note, "signed off") {
			// Signed off once (a second "Agreed" on the thread, say): not again.
			already = append(already, a.key)
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
	if len(done) == 0 && len(ambiguous) > 0 {
		return "", fmt.Errorf("%w: %s: reply to csprbot's request to sign off the one you mean", ErrRefused, strings.Join(ambiguous, "; "))
	}
	if len(done) == 0 && len(already) > 0 {
		return "", fmt.Errorf("%w: already signed off: %s", ErrRefused, strings.Join(already, ", "))
	}
	if len(done) == 0 {
		return "", fmt.Errorf("%w: no evidence received to sign off for %s", ErrRefused, items)
	}
	out := "signed off: " + strings.Join(done, ", ")
	if len(already) > 0 {
		out += "; already signed off: " + strings.Join(already, ", ")
	}
	if len(notYet) > 0 {
		out += "; no evidence yet for " + strings.Join(notYet, ", ")
	}
	if len(ambiguous) > 0 {
		out += "; not signed off: " + strings.Join(ambiguous, "; ")
	}
	if err := audit(ctx, tx, now, c.id, actor, "action_signed_off", out); err != nil {
		return "", err
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND (status != 'received' OR note NOT LIKE 'signed off%')`, c.id).Scan(&open); err != nil {
		return "", err
	}
	if open == 0 && c.stage != StageClosed {
		reason := "every action of the action plan evidenced and signed off (" + t.londonDay(now) + ")"
		if err := t.closeCase(ctx, tx, now, c.id, reason, actor); err != nil { // settle.go
			return "", err
		}
		out += "; " + reason + ": case closed"
	}
	return out, nil
}

// signOffReading is what the MESI subgroup's reply says.
type signOffReading struct {
	Signs    bool     // it clearly signs off
	All      bool     // every action ("Signed off: all")
	Keys     []string // the actions it plainly signs off ("A1", "A2"), upper case
	Withheld []string // the actions it names without plainly signing them off (deferred, to be discussed)
}

var (
	signOffWords = lazyRegexp(`(?i)\b(signed[\s-]*off|sign(?:ing)?[\s-]*(?:it\s+|them\s+|these\s+|this\s+)?off|agreed?|approved?|accepted|satisfied)\b`)
	// Anything that hedges: "not yet", "A2 needs more", "but", a question; a condition
	// ("subject to", "in principle", "once"), a later look ("to be discussed", "at our next
	// meeting", "deferred", "referred back"), or an intention ("happy to sign this off").
	// A reply that hedges signs nothing off; a person reads it.
	signOffHedge = lazyRegexp(`(?i)(\b(not|no|never|cannot|can't|cant|won't|unable|need|needs|needed|more|further|missing|outstanding|query|queries|question|questions|yet|until|unless|await|awaiting|however|but|except|pending|partial|partially|only|clarify|clarification|disagree|disagreed|reject|rejected|decline|declined|if|once|when|subject to|in principle|provisional|provisionally|conditional|conditionally|on condition|provided|providing|assuming|look at|looking at|look again|revisit|reconsider|consider|considered|to be discussed|discuss|discussed|discussion|defer|deferred|deferring|refer back|referred back|referred|held over|on hold|hold|postpone|postponed|tbc|to follow|will|would|should|could|might|shall|intend|intends|plan to|hope to|expect to|agreed? to|re-audit|re-submit|resubmit|next\s+(?:\w+\s+){0,3}meeting)\b|\bto\s+sign\b(?:[\s-]+\w+){0,3}?[\s-]+off\b|n't\b|\?)`)
	signOffKey   = lazyRegexp(`(?i)\bA(\d{1,3})\b`)
	signOffAll   = lazyRegexp(`(?i)((signed[\s-]*off|sign[\s-]*off|agreed?|approved?|accepted)\s*[:\-–]?\s*(for\s+)?(all|everything)\b|\ball\s+(of\s+)?(the\s+)?(\d+\s+)?actions\b|\b(all|everything)\s+(is\s+|are\s+)?(signed[\s-]*off|approved|agreed)\b)`)
	// A sentence, or a clause ended by a semicolon: what sign-off words apply to.
	signOffSentence = lazyRegexp(`[^.;!?]+[.;!?]*`)
	// A line that is only a closing ("Kind regards", "Thanks"): what follows is a signature.
	signOffCloser = lazyRegexp(`(?i)^(kind regards|regards|best regards|best wishes|best|many thanks|thanks|thank you|cheers|sent from .*)[,.!]*$`)
)

// readSignOff reads the text a member of the MESI subgroup wrote in reply (quoted text
// already cut away): whether it clearly signs off, and which actions it names. Only a
// plain yes counts; anything that hedges or asks is not a sign-off. Sign-off words apply
// to the actions named in their own sentence: "Signed off A1. A2 to be discussed at the
// next meeting." signs off A1 and withholds A2. An action named in a sentence that hedges,
// or that has no sign-off words, is withheld (a person reads it); a hedge in a sentence
// naming no action withholds the whole reply, as does "all" beside a withheld action.
func readSignOff(own string) signOffReading {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(own, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "--" || l == "-- " || signOffCloser().MatchString(l) {
			break
		}
		lines = append(lines, l)
	}
	text := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	var r signOffReading
	if !signOffWords().MatchString(text) {
		return r
	}
	var signed, withheld []string
	seenS, seenW := map[string]bool{}, map[string]bool{}
	hedged := false
	for _, seg := range signOffSentence().FindAllString(text, -1) {
		var keys []string
		for _, m := range signOffKey().FindAllStringSubmatch(seg, -1) {
			keys = append(keys, "A"+strings.TrimLeft(m[1], "0"))
		}
		hedge := signOffHedge().MatchString(seg)
		if len(keys) == 0 {
			hedged = hedged || hedge
			continue
		}
		for _, k := range keys {
			if hedge || !signOffWords().MatchString(seg) {
				if !seenW[k] {
					seenW[k] = true
					withheld = append(withheld, k)
				}
			} else if !seenS[k] {
				seenS[k] = true
				signed = append(signed, k)
			}
		}
	}
	r.Withheld = withheld
	if hedged {
		return r
	}
	for _, k := range signed {
		if !seenW[k] {
			r.Keys = append(r.Keys, k)
		}
	}
	all := signOffAll().MatchString(text)
	if len(withheld) > 0 && (all || len(r.Keys) == 0) {
		r.Keys = nil
		return r
	}
	r.Signs, r.All = true, all
	return r
}

// mesiReply reads a reply from the MESI subgroup's configured address ([addresses] mesi)
// on a case: threaded under csprbot's request to sign off an action's evidence (or, with
// the trusted server's DKIM/DMARC pass, carrying the case's [REF]). A reply that clearly
// signs off ("Signed off", "Agreed", "Approved A1 A2", "Signed off: all") records the
// sign-off of the actions it names, or of the action the email it answers asked about,
// exactly as staff's Signed off: does (the case closes when every action is evidenced and
// signed off), and is answered with a confirmation. Anything else ("not yet, A2 needs
// more"), or a message csprbot cannot tell came from the subgroup's own mailbox, is
// recorded on the case and shown to staff: it signs nothing off. It reports false for a
// message that is not from the subgroup's address.
func (t *Tracker) mesiReply(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) (bool, error) {
	mesi := normAddr(t.cfg.Addresses.MESI)
	if mesi == "" || tt.caseID == 0 || in.Auto != "" || normAddr(in.From) != mesi {
		return false, nil
	}
	if _, staff := t.cfg.isStaff(in.From); staff {
		return false, nil // a staff address: read as staff's commands
	}
	c, err := loadCase(ctx, tx, "id = ?", tt.caseID)
	if err != nil {
		return true, err
	}
	res.Disposition = DispForPerson
	own := ownText(in.Text, 30)
	said := clipLine(own, 600)
	if said == "" {
		said = "(nothing above the quoted text)"
	}
	// A token proves the sender saw csprbot's email to the subgroup; otherwise only the
	// trusted server's DKIM/DMARC pass for the subgroup's domain will do.
	authed, how := tt.addressedTo(mesi), "a reply to csprbot's own email to the MESI subgroup (token verified)"
	if !authed {
		authed, how = t.authPass(in)
	}
	if in.FromSuspect {
		authed, how = false, "the From header is malformed"
	}
	if !authed {
		t.log.Info("MESI reply not authenticated; nothing signed off", "case", c.ref, "why", how)
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply_unverified", "a message from the MESI subgroup's address that csprbot could not verify; nothing signed off: "+said); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, c.id, "A message from the MESI subgroup's address arrived on this case, but csprbot could not tell that it came from the subgroup's own mailbox (it is not a reply to csprbot's email to the subgroup). Nothing was signed off. They wrote: \""+said+"\". If it signs off, record it with Signed off: A1 (or all).", in)
	}
	// A reply whose subject or words name another case's reference signs off nothing here
	// (as another case's form is never filed on this one: messageMismatch).
	if other := otherCaseRef(in.Subject+"\n"+own, c.ref); other != "" {
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply_mismatch", "a MESI reply naming case "+other+", not "+c.ref+": nothing signed off: "+said); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup replied on "+c.ref+", but its reply names case "+other+", so csprbot signed nothing off on "+c.ref+". They wrote: \""+said+"\". If it signs off this case's actions, record it with Signed off: A1 (or all) on "+c.ref+".", in)
	}
	// Own words below the quoted text (an inline reply) are not a plain yes: a person reads
	// them.
	if below := inlineText(in.Text); below != "" {
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply", "the MESI subgroup replied with comments below the quoted text; nothing signed off: "+said+" / below the quote: "+clipLine(below, 600)); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup replied with its own comments below the lines it quoted, so csprbot did not read it as a plain sign-off and signed nothing off. They wrote: \""+said+"\", and below the quote: \""+clipLine(below, 600)+"\". It is recorded on the case. If it signs off, record it with Signed off: A1 (or all).", in)
	}
	reading := readSignOff(own)
	if !reading.Signs {
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply", "the MESI subgroup replied without signing off: "+said); err != nil {
			return true, err
		}
		return true, t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup replied about the action plan's evidence, and its reply does not sign anything off, so csprbot signed nothing off. They wrote: \""+said+"\". It is recorded on the case. When the subgroup is satisfied, its reply \"Signed off\" (or your Signed off: A1) records it.", in)
	}
	items := strings.Join(reading.Keys, " ")
	if reading.All {
		items = "all"
	}
	if items == "" {
		// None named: the action(s) the email it answers asked about.
		asked, err := t.signOffAsked(ctx, tx, c.id, tt)
		if err != nil {
			return true, err
		}
		if len(asked) == 0 {
			if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply", "the MESI subgroup signed off without naming an action, and its reply answers no single request: nothing signed off: "+said); err != nil {
				return true, err
			}
			return true, t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup signed off by email without saying which action, and its reply does not answer csprbot's request about one action, so csprbot signed nothing off. They wrote: \""+said+"\". Record it with Signed off: A1 (or all).", in)
		}
		items = strings.Join(asked, " ")
	}
	// The actions the email it answers asked about settle a key two actions share (a
	// revised plan's A1 beside the first plan's A1).
	prefer, err := t.signOffAskedItems(ctx, tx, c.id, tt)
	if err != nil {
		return true, err
	}
	res.Disposition = "command"
	out, err := t.signOffWith(ctx, tx, now, c, items, mesi, signOffOpts{prefer: prefer, mesi: true})
	if err == nil && len(reading.Withheld) > 0 {
		// What the reply names without plainly signing off goes to a person.
		w := strings.Join(reading.Withheld, ", ")
		out += "; not signed off (the reply does not plainly sign it off; a person reads it): " + w
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply", "the MESI subgroup's reply did not plainly sign off "+w+": "+said); err != nil {
			return true, err
		}
		if err := t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup signed off "+items+" by email, but its reply names "+w+" without plainly signing it off, so csprbot did not sign off "+w+". They wrote: \""+said+"\". When the subgroup signs it off, its reply \"Signed off\" (or your Signed off: "+reading.Withheld[0]+") records it.", in); err != nil {
			return true, err
		}
	}
	reply := "csprbot recorded the MESI subgroup's sign-off: " + out
	if errors.Is(err, ErrRefused) {
		why := strings.TrimPrefix(err.Error(), ErrRefused.Error()+": ")
		reply = "csprbot signed nothing off: " + why
		if err := audit(ctx, tx, now, c.id, mesi, "mesi_reply", "the MESI subgroup's sign-off of "+items+" was not recorded: "+why); err != nil {
			return true, err
		}
		res.Disposition = DispForPerson
		if err := t.tellStaff(ctx, tx, now, c.id, "The MESI subgroup signed off "+items+" by email, but csprbot could not record it: "+why+". They wrote: \""+said+"\".", in); err != nil {
			return true, err
		}
	} else if err != nil {
		return true, err
	}
	view, err := t.caseView(ctx, tx, c.id, now)
	if err != nil {
		return true, err
	}
	_, err = t.enqueue(ctx, tx, now, outMsg{caseID: c.id, tmpl: TmplActionSignOff, to: []string{in.From}, sender: in.From,
		inReplyTo: in.MessageID, references: append(append([]string{}, in.References...), in.MessageID),
		data: &MailData{Case: view, Reason: reply, LCSPR: &LCSPRView{Notice: NoticeSignOffReply, Kind: ReturnActionEvidence, KindLabel: ReturnKindLabel(ReturnActionEvidence), Key: items}}})
	return true, err
}

// signOffAsked is the actions ("A1") csprbot's email that tt answers asked the MESI
// subgroup to sign off; or, for a message tied by its [REF] alone, the case's one action
// awaiting sign-off (none when there are several: the reply must say which).
func (t *Tracker) signOffAsked(ctx context.Context, tx *sql.Tx, caseID int64, tt tie) ([]string, error) {
	q, args := `SELECT item FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND signoff_msgid = ? AND signoff_msgid != '' ORDER BY id`, []any{caseID, tt.ourID}
	if !tt.byToken {
		q, args = `SELECT item FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND status = 'received' AND note NOT LIKE 'signed off%' ORDER BY id`, []any{caseID}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var item string
		if err := rows.Scan(&item); err != nil {
			return nil, err
		}
		k, _, _ := strings.Cut(item, ":")
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !tt.byToken && len(out) > 1 {
		return nil, nil
	}
	return out, nil
}

// signOffAskedItems is the actions (their items) csprbot's email that tt answers asked the
// MESI subgroup to sign off.
func (t *Tracker) signOffAskedItems(ctx context.Context, tx *sql.Tx, caseID int64, tt tie) (map[string]bool, error) {
	out := map[string]bool{}
	if !tt.byToken || tt.ourID == "" {
		return out, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT item FROM returns WHERE case_id = ? AND kind = 'action_evidence' AND signoff_msgid = ? AND signoff_msgid != ''`, caseID, tt.ourID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var item string
		if err := rows.Scan(&item); err != nil {
			return nil, err
		}
		out[item] = true
	}
	return out, rows.Err()
}

// otherCaseRef is a case reference written in s (as refPattern reads one, with the same
// prefix as ref: "LSCP-2027-014") that is not ref; "" when s names none but ref.
func otherCaseRef(s, ref string) string {
	prefix, _, _ := strings.Cut(strings.ToUpper(ref), "-")
	for _, m := range refPattern().FindAllStringSubmatch(strings.ToUpper(s), -1) {
		if m[1] != prefix && !strings.HasSuffix(m[1], prefix) {
			continue
		}
		seq, _ := strconv.Atoi(m[3])
		if got := fmt.Sprintf("%s-%s-%03d", prefix, m[2], seq); !strings.EqualFold(got, ref) {
			return got
		}
	}
	return ""
}

// inlineText is the sender's own words below the first quoted line ("> ..."): comments
// written between quoted lines, or after the last of them when they say more than a
// name (a sign-off word, a hedge or an action). "" when the reply is all above the quote.
func inlineText(s string) string {
	var between, after []string
	quoted := false
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, ">"):
			if quoted {
				between = append(between, after...)
			}
			quoted, after = true, nil
		case !quoted || l == "":
		case l == "--" || signOffCloser().MatchString(l):
			// A signature follows; what comes after the last quote ends here.
			if len(after) == 0 {
				after = append(after, "")
			}
			after = append(after, "\x00")
		default:
			after = append(after, l)
		}
	}
	// After the last quote: up to a closer or "--".
	var tail []string
	for _, l := range after {
		if l == "\x00" {
			break
		}
		if l != "" {
			tail = append(tail, l)
		}
	}
	if t := strings.Join(tail, " "); signOffWords().MatchString(t) || signOffHedge().MatchString(t) || signOffKey().MatchString(t) {
		between = append(between, tail...)
	}
	var out []string
	for _, l := range between {
		if l != "" && l != "\x00" {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}
