package tracker

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Form is a parsed document as the tracker sees it (cmd converts parser.Form).
type Form struct {
	Kind     string                         `json:"kind"`
	CaseRef  string                         `json:"case_ref"`
	Fields   map[string]string              `json:"fields"`
	Tables   map[string][]map[string]string `json:"tables"`
	Warnings []string                       `json:"warnings"`
	// Unanswered are the form's questions it gives no answer to (parser.Form.Unanswered):
	// what a person must complete, never a silently empty field.
	Unanswered []string `json:"unanswered,omitempty"`
}

// Form kinds the tracker acts on.
const (
	FormReferral      = "referral"
	FormScopingReturn = "scoping_return"
	FormRapidReview   = "rapid_review_report"
	FormChronology    = "chronology"
	FormAgencyReport  = "agency_report"
)

// InAttachment is one attachment of an incoming message with what the parser made of it.
type InAttachment struct {
	Attachment
	Form       *Form  // nil if the parser could not read it
	ParseError string // why not
}

// Incoming is one message from the mailbox, decoded and parsed.
type Incoming struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	ReceivedAt  time.Time // the server's arrival time: day 0 of a referral

	MessageID string
	From      string
	FromName  string
	// FromSuspect: the From header was not one well-formed mailbox (mailbox.Message):
	// From is read strictly, but proves nothing about who wrote the message.
	FromSuspect bool
	To, Cc      []string
	Subject     string
	InReplyTo   string
	References  []string
	Text, HTML  string
	Raw         []byte
	// RawFile, when set, holds the raw message instead of Raw (spooled by the intake:
	// stored in chunks, never read whole); RawSHA256 is its SHA-256 in hex and RawHead
	// its header block.
	RawFile   string
	RawSHA256 string
	RawHead   []byte
	// AuthResults are the raw Authentication-Results header values, top (newest) first.
	AuthResults []string

	Auto      string // "" for mail a person wrote; else auto_reply, bounce, bulk, loop, ...
	AwayUntil string
	BounceOf  string // the Message-ID a bounce is about
	// BounceRecipients are the addresses a delivery status notification says failed.
	BounceRecipients []string
	BounceDetail     string

	Attachments []InAttachment
	BodyForm    *Form // what the parser made of the body (nil returns)
	Problems    []string

	// CalReply is the meeting response the message carries (an iCalendar REPLY), if any.
	CalReply *CalendarReply

	// Quarantine, when set, says why the message is recorded without being read (it
	// killed or stalled processing QuarantineAfter times): staff are told, nothing else.
	Quarantine string
}

// Disposition of an incoming message.
const (
	DispReferral   = "referral"
	DispReturn     = "return"
	DispForPerson  = "for_person"
	DispAuto       = "auto"
	DispTriage     = "triage"
	DispDuplicate  = "duplicate"
	DispNeedsInput = "referral_incomplete"
	DispFailed     = "failed"
	DispQuarantine = "quarantined"
)

// IngestResult says what became of a message.
type IngestResult struct {
	Disposition string
	CaseRef     string
	Agency      string
	Duplicate   bool
}

var refTag = lazyRegexp(`\[([A-Z]{2,10}-\d{4}-\d{3,})\]`)

// Ingest records one incoming message and everything it causes (a new case, a return,
// a note for a person, the emails that follow) in one transaction, and advances the
// mailbox cursor in the same transaction. It returns an error only when nothing could be
// recorded (the store is unavailable): then the message must stay unmarked and be tried
// again.
func (t *Tracker) Ingest(ctx context.Context, in *Incoming) (IngestResult, error) {
	if in.MessageID == "" {
		sum := sha256.Sum256(in.Raw)
		id := hex.EncodeToString(sum[:12])
		if in.RawFile != "" && len(in.RawSHA256) >= 24 {
			id = in.RawSHA256[:24]
		}
		in.MessageID = "no-message-id." + id + "@csprbot.invalid"
	}
	res, err := t.recordOnce(ctx, in, func(tx *sql.Tx, now time.Time, msgRow int64, digest string, res *IngestResult) error {
		if err := t.route(ctx, tx, now, in, msgRow, res); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE messages SET case_id = ?, agency = ?, disposition = ?, content_sha256 = ? WHERE id = ?`,
			nullID(res.caseID(ctx, tx)), res.Agency, res.Disposition, digest, msgRow)
		return err
	})
	if err != nil && storeUnavailable(err) {
		return IngestResult{}, fmt.Errorf("tracker: ingest %s: store unavailable: %w", in.MessageID, err)
	}
	if err != nil {
		// Something in what the message caused failed (not the store itself, or the
		// fallback below fails too): record the message bare, for a person, so that one
		// bad message never blocks the mailbox.
		if ferr := t.recordFailed(ctx, in, err); ferr != nil {
			return IngestResult{}, fmt.Errorf("tracker: ingest %s: %w", in.MessageID, dbErr(errors.Join(err, ferr)))
		}
		t.log.Error("message recorded without processing", "message_id", in.MessageID, "err", err)
		return IngestResult{Disposition: DispFailed}, nil
	}
	t.log.Info("message recorded", "message_id", in.MessageID, "disposition", res.Disposition, "case", res.CaseRef, "agency", res.Agency)
	return res, nil
}

// recordOnce records in (its Message-ID tidied, its arrival time set) and does what act
// makes of it, in one transaction that also advances the mailbox cursor; a message
// already recorded (the same Message-ID and content) is a duplicate and act is not run.
func (t *Tracker) recordOnce(ctx context.Context, in *Incoming, act func(tx *sql.Tx, now time.Time, msgRow int64, digest string, res *IngestResult) error) (IngestResult, error) {
	in.MessageID = strings.Trim(strings.TrimSpace(in.MessageID), "<>")
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = t.Now()
	}
	digest := contentDigest(in)
	var res IngestResult
	err := t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		res = IngestResult{}
		dup, err := t.reusedMessageID(ctx, tx, in, digest)
		if err != nil {
			return err
		}
		if dup {
			res = IngestResult{Disposition: DispDuplicate, Duplicate: true}
			return markIntake(ctx, tx, in)
		}
		msgRow, err := insertMessage(ctx, tx, in, now)
		if err != nil {
			return err
		}
		if err := act(tx, now, msgRow, digest, &res); err != nil {
			return err
		}
		return markIntake(ctx, tx, in)
	})
	return res, err
}

func (r IngestResult) caseID(ctx context.Context, tx *sql.Tx) int64 {
	if r.CaseRef == "" {
		return 0
	}
	var id int64
	_ = tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE ref = ?`, r.CaseRef).Scan(&id)
	return id
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertMessage(ctx context.Context, tx *sql.Tx, in *Incoming, now time.Time) (int64, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO messages(message_id, mailbox, uidvalidity, uid, received_at, from_addr,
		subject, in_reply_to, refs, auto, body_text, body_html, raw, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.MessageID, in.Mailbox, in.UIDValidity, in.UID, ts(in.ReceivedAt), normAddr(in.From), in.Subject,
		in.InReplyTo, strings.Join(in.References, " "), in.Auto, in.Text, in.HTML, inlineRaw(in),
		strings.Join(in.Problems, "; "), ts(now))
	if err != nil {
		return 0, err
	}
	id, _ := r.LastInsertId()
	if in.RawFile != "" {
		if err := storeChunked(ctx, tx, "raw", id, in.RawFile); err != nil {
			return 0, err
		}
	}
	for _, a := range in.Attachments {
		var kind, fj string
		if a.Form != nil {
			kind = a.Form.Kind
			b, _ := json.Marshal(a.Form)
			fj = string(b)
		}
		if a.File != "" {
			r, err := tx.ExecContext(ctx, `INSERT INTO attachments(message_id, name, content_type, size, data, form_kind, form_json, error)
				VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`, id, a.Name, a.ContentType, fileSize(a.File), kind, fj, a.ParseError)
			if err != nil {
				return 0, err
			}
			aid, _ := r.LastInsertId()
			if err := storeChunked(ctx, tx, "attachment", aid, a.File); err != nil {
				return 0, err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments(message_id, name, content_type, size, data, form_kind, form_json, error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, a.Name, a.ContentType, len(a.Data), a.Data, kind, fj, a.ParseError); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// tie is what an incoming message is about, when we can tell.
type tie struct {
	caseID  int64
	ref     string
	agency  string // the agency the reply is from, if any
	kind    string // the template of our email it answers
	byToken bool
	sentTo  string // by token: the recipients of our email it answers ("a, b")
	ourID   string // by token: the Message-ID of our email it answers
	// outsiders: by token, the recipients of our email it answers who are not staff.
	outsiders []string
}

// addressedTo reports whether our email the message answers (by token) went to addr and
// to nobody else outside the partnership's staff. A token proves only that the sender
// saw the email: when it also went to someone outside (the lead reviewer's copy of the
// combined chronology, an agency invited to a meeting), any of them could be replying
// under a forged From, so it proves nothing about who wrote the reply.
func (tt tie) addressedTo(addr string) bool {
	a := normAddr(addr)
	if !tt.byToken || a == "" {
		return false
	}
	for _, o := range tt.outsiders {
		if o != a {
			return false
		}
	}
	for _, r := range strings.Split(tt.sentTo, ",") {
		if normAddr(r) == a {
			return true
		}
	}
	return false
}

// findTie ties a message to a case through our own Message-ID in In-Reply-To/References
// (verified token), or else through the [REF] subject tag plus a sender the directory
// knows for an agency of that case, or a staff address.
func (t *Tracker) findTie(ctx context.Context, tx *sql.Tx, in *Incoming) (tie, error) {
	ids := append([]string{in.InReplyTo}, reversed(in.References)...)
	for _, id := range ids {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		if id == "" || !t.verifyMessageID(id) {
			continue
		}
		var tt tie
		var cid sql.NullInt64
		var ref sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT o.case_id, c.ref, o.agency, o.kind, o.recipients FROM outbox o LEFT JOIN cases c ON c.id = o.case_id
			WHERE o.message_id = ?`, id).Scan(&cid, &ref, &tt.agency, &tt.kind, &tt.sentTo)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return tie{}, err
		}
		tt.caseID, tt.ref, tt.byToken, tt.ourID = cid.Int64, ref.String, true, id
		for _, r := range strings.Split(tt.sentTo, ",") {
			if r = normAddr(r); r != "" {
				if _, staff := t.cfg.isStaff(r); !staff {
					tt.outsiders = append(tt.outsiders, r)
				}
			}
		}
		if tt.agency != "" && tt.caseID != 0 {
			// The token proves the case; it does not make the sender the agency our email
			// went to (a request forwarded to a stranger carries the same token). The
			// sender speaks for the agency only from an address vouched for it, or from its
			// domain with the trusted server's DKIM/DMARC pass. A sender the directory knows
			// for another agency of the case speaks for that one; anyone else for none.
			own, err := t.speaksFor(ctx, tx, in, tt.caseID, tt.agency)
			if err != nil {
				return tie{}, err
			}
			if !own {
				tt.agency = ""
				if other, ok := t.cfg.agencyByEmail(in.From); ok && !in.FromSuspect {
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM case_agencies WHERE case_id = ? AND name = ?`, tt.caseID, other.Name).Scan(&n); err != nil {
						return tie{}, err
					}
					if n > 0 {
						tt.agency = other.Name
					}
				}
			}
		}
		return tt, nil
	}
	m := refTag().FindStringSubmatch(in.Subject)
	if m == nil {
		return tie{}, nil
	}
	var tt tie
	err := tx.QueryRowContext(ctx, `SELECT id, ref FROM cases WHERE ref = ?`, m[1]).Scan(&tt.caseID, &tt.ref)
	if errors.Is(err, sql.ErrNoRows) {
		return tie{}, nil
	}
	if err != nil {
		return tie{}, err
	}
	if in.FromSuspect {
		return tie{}, nil // a malformed From vouches for nothing
	}
	if _, ok := t.cfg.isStaff(in.From); ok {
		return tt, nil
	}
	if m := normAddr(t.cfg.Addresses.MESI); m != "" && normAddr(in.From) == m {
		return tt, nil // the MESI subgroup about the case's actions: mesiReply authenticates it
	}
	// Quoting a reference is not enough: the sender must be the agency's known address.
	from := normAddr(in.From)
	rows, err := tx.QueryContext(ctx, `SELECT name, email FROM case_agencies WHERE case_id = ?`, tt.caseID)
	if err != nil {
		return tie{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, email string
		if err := rows.Scan(&name, &email); err != nil {
			return tie{}, err
		}
		ag, known := t.cfg.agencyByName(name)
		// Only the directory's addresses count: an address typed into a referral form is
		// not proof that its writer speaks for the agency.
		if known && (normAddr(ag.Email) == from || normAddr(ag.StrategicLead) == from) {
			tt.agency = name
			return tt, rows.Err()
		}
	}
	return tie{}, rows.Err()
}

// isAgencyAddress reports whether addr is an address the case or the directory knows for agency.
func (t *Tracker) isAgencyAddress(ctx context.Context, tx *sql.Tx, caseID int64, agency, addr string) (bool, error) {
	a := normAddr(addr)
	if ag, ok := t.cfg.agencyByName(agency); ok && (normAddr(ag.Email) == a || normAddr(ag.StrategicLead) == a) {
		return true, nil
	}
	var email string
	err := tx.QueryRowContext(ctx, `SELECT email FROM case_agencies WHERE case_id = ? AND name = ?`, caseID, agency).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a != "" && normAddr(email) == a, nil
}

func reversed(s []string) []string {
	out := make([]string, 0, len(s))
	for i := len(s) - 1; i >= 0; i-- {
		out = append(out, s[i])
	}
	return out
}

// route decides what a recorded message means and acts on it.
func (t *Tracker) route(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, msgRow int64, res *IngestResult) error {
	tt, err := t.findTie(ctx, tx, in)
	if err != nil {
		return err
	}
	res.CaseRef, res.Agency = tt.ref, tt.agency

	if in.Quarantine != "" {
		res.Disposition = DispQuarantine
		if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in_quarantined", in.MessageID+": "+in.Quarantine); err != nil {
			return err
		}
		return t.tellStaff(ctx, tx, now, tt.caseID, "A message was set aside without being read: "+in.Quarantine+
			". It is kept whole on the case record for a person to open; intake has gone on past it.", in)
	}
	if in.Auto == "bounce" || in.Auto == "mailer_daemon" && in.BounceOf != "" {
		return t.bounce(ctx, tx, now, in, res)
	}
	if r := calendarReplyOf(in, tt); r != nil && in.Auto != "loop" {
		if !carriesDocument(in) && in.BodyForm == nil {
			return t.calendarReply(ctx, tx, now, in, r, tt, res)
		}
		// The answer is recorded, and what else the message carries (a return attached to
		// an acceptance, a referral with a stray invitation) is handled as in any message.
		var answered IngestResult
		if err := t.calendarReply(ctx, tx, now, in, r, tt, &answered); err != nil {
			return err
		}
	}
	if in.Auto != "" && !actOnAutomatic(in, tt) {
		// Automatic mail is recorded, never answered, never counted as a return.
		res.Disposition = DispAuto
		detail := fmt.Sprintf("automatic message (%s) from %s recorded; not answered", in.Auto, normAddr(in.From))
		if in.Auto == "auto_reply" && tt.caseID != 0 && tt.agency != "" {
			note := "out of office"
			if in.AwayUntil != "" {
				note += ": away until " + in.AwayUntil
			}
			if _, err := tx.ExecContext(ctx, `UPDATE returns SET note = ? WHERE case_id = ? AND agency = ?`, note, tt.caseID, tt.agency); err != nil {
				return err
			}
			detail = fmt.Sprintf("%s: %s (not counted as a return)", tt.agency, note)
		}
		if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in_auto", detail); err != nil {
			return err
		}
		if in.Auto != "loop" && carriesDocument(in) {
			// Generated or list mail with a document nobody could read as a form: a
			// referral may be in it. A person looks; nothing answers the machine.
			res.Disposition = DispTriage
			return t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("Automatic mail (%s) arrived with a document csprbot could not act on. It is recorded for triage; nothing was sent in reply.", in.Auto), in)
		}
		return nil
	}

	if tt.caseID == 0 && tt.byToken && tt.kind == TmplStaffAttention {
		if _, ok := t.cfg.isStaff(in.From); ok {
			return t.staffOnNotice(ctx, tx, now, in, tt, res)
		}
	}
	if tt.caseID != 0 {
		// The MESI subgroup's answer to a request to sign off evidence (lcspr_action.go).
		if done, err := t.mesiReply(ctx, tx, now, in, tt, res); done || err != nil {
			return err
		}
		// "I would like to attend" in reply to a learning event invitation (lcspr_learning.go).
		// A reply that also carries a document ("I will attend. Our chronology is
		// attached.") is both: the registration is recorded, and the document is handled
		// as in any message below, never swallowed by the registration.
		if carriesDocument(in) || in.BodyForm != nil {
			var registered IngestResult
			if _, err := t.learningRegistration(ctx, tx, now, in, tt, &registered); err != nil {
				return err
			}
		} else if done, err := t.learningRegistration(ctx, tx, now, in, tt, res); done || err != nil {
			return err
		}
		if _, ok := t.cfg.isStaff(in.From); ok && tt.agency == "" {
			return t.staffMessage(ctx, tx, now, in, tt, res)
		}
		if tt.agency != "" {
			return t.agencyReply(ctx, tx, now, in, tt, res)
		}
		// Tied to a case but from neither an agency of it nor staff (a referrer replying to
		// the acknowledgement, say): a person reads it.
		res.Disposition = DispForPerson
		if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in", "reply recorded for a person to read"); err != nil {
			return err
		}
		return t.tellStaff(ctx, tx, now, tt.caseID, "A reply on this case needs reading: it is recorded on the case.", in)
	}

	if _, ok := t.cfg.isStaff(in.From); ok && !in.FromSuspect {
		// A staff member's command about no case (Clear address:), or a Confirm.
		handled, err := t.staffCommands(ctx, tx, now, in, tt)
		if err != nil {
			return err
		}
		if handled {
			res.Disposition = "command"
			return nil
		}
	}
	if f := referralForm(in); f != nil {
		return t.newCase(ctx, tx, now, in, f, false, res)
	}
	if looksLikeReferral(in) {
		return t.newCase(ctx, tx, now, in, nil, true, res)
	}
	res.Disposition = DispTriage
	if err := audit(ctx, tx, now, 0, normAddr(in.From), "message_in_triage", "message not tied to any case; recorded for staff to triage"); err != nil {
		return err
	}
	return t.tellStaff(ctx, tx, now, 0, "A message arrived that csprbot could not tie to a case (unknown sender, or no verifiable reference). It is recorded for triage.\n\n"+
		"If it is a referral, reply to this email with the line\n\n    Open case\n\nand csprbot opens a case from it, counting from the day it arrived.", in)
}

// actOnAutomatic: "never answer automatic mail" is not "never act on it". A readable
// referral, or an agency's readable return, that came through a list or an e-form system
// is acted on (no reply goes to the machine that sent it; staff are told). Out-of-office
// replies, bounces and our own mail never are.
//
// Out-of-office detection reads headers and subjects that people and mail rules also
// produce ("Annual leave - urgent referral", an Exchange rule forwarding an e-form), and
// no out-of-office reply carries a form: a readable form is acted on whatever the
// message was taken for.
func actOnAutomatic(in *Incoming, tt tie) bool {
	if in.Auto != "bulk" && in.Auto != "auto_generated" && in.Auto != "auto_reply" {
		return false
	}
	if tt.caseID == 0 {
		return referralForm(in) != nil
	}
	return tt.agency != "" && returnForm(in) != nil
}

// carriesDocument reports whether any attachment is a document (not an image or invite).
func carriesDocument(in *Incoming) bool {
	for _, a := range in.Attachments {
		if isDocument(a.Name) {
			return true
		}
	}
	return false
}

// returnForm is the scoping return a message carries, attached or (a nil return) in the body.
func returnForm(in *Incoming) *Form {
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormScopingReturn {
			return a.Form
		}
	}
	if in.BodyForm != nil && in.BodyForm.Kind == FormScopingReturn {
		return in.BodyForm
	}
	return nil
}

func referralForm(in *Incoming) *Form {
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormReferral {
			return a.Form
		}
	}
	if in.BodyForm != nil && in.BodyForm.Kind == FormReferral {
		return in.BodyForm
	}
	// A local authority's notification to the National Panel or Ofsted counts as a
	// referral (lcspr_notification.go).
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormNotification {
			return notificationAsReferral(a.Form)
		}
	}
	if in.BodyForm != nil && in.BodyForm.Kind == FormNotification {
		return notificationAsReferral(in.BodyForm)
	}
	return nil
}

// looksLikeReferral: a message not tied to any case whose subject, body or document's
// name says it is a referral and that carries a document csprbot could not read. It still becomes a case,
// for a person to complete. An unreadable document alone, or words alone, do not open a
// statutory case: they go to triage, where staff can open one by reply ("Open case").
func looksLikeReferral(in *Incoming) bool {
	unread, named := false, false
	for _, a := range in.Attachments {
		if isDocument(a.Name) && a.Form == nil && a.ParseError != "" {
			unread = true
			named = named || saysReferral(a.Name)
		}
	}
	if refTag().MatchString(in.Subject) {
		// A subject carrying a case's [REF] is about that case (a forwarded reminder, a
		// reply from an unknown address): a person reads it, no new case opens.
		return false
	}
	return unread && (named || saysReferral(in.Subject) || saysReferral(ownText(in.Text, 20)))
}

// referralWords say that a message is a referral: whole words, so that "csprbot" in
// csprbot's own footer, quoted under a reply, says nothing.
var referralWords = lazyRegexp(`(?i)\b(referral|referring|serious\s+incident|cspr|child\s+safeguarding\s+practice\s+review)\b`)

func saysReferral(s string) bool { return referralWords().MatchString(s) }

// ownText is the start of a body the sender wrote: at most n lines, before any quoted or
// forwarded message (csprbot's own words quoted back are not the sender's).
func ownText(s string, n int) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") || strings.HasPrefix(t, "From:") || strings.HasPrefix(t, "-----Original Message") ||
			strings.HasPrefix(t, "________________") || strings.HasPrefix(t, "---------- Forwarded") ||
			strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:") {
			break
		}
		out = append(out, l)
		if len(out) >= n {
			break
		}
	}
	return strings.Join(out, "\n")
}

func isDocument(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".docx", ".doc", ".pdf", ".odt", ".rtf", ".dat"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// agencyReply records an agency's reply: a return, a nil return, or something for a person.
func (t *Tracker) agencyReply(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) error {
	// A chronology or agency report of the local review (lcspr_request.go).
	if done, err := t.lcsprReturn(ctx, tx, now, in, tt, res); done || err != nil {
		return err
	}
	var form *Form
	for _, a := range in.Attachments {
		if a.Form != nil && a.Form.Kind == FormScopingReturn {
			form = a.Form
			break
		}
	}
	// Look at a document before it counts: another case's form is held, never filed here,
	// and a form with no question answered is not a return.
	if f := returnForm(in); f != nil {
		c, err := loadCase(ctx, tx, "id = ?", tt.caseID)
		if err != nil {
			return err
		}
		if why := messageMismatch(in, c.ref, c.initials); why != "" {
			res.Disposition = DispForPerson
			if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_mismatch", why+"; held for a person, not filed"); err != nil {
				return err
			}
			return t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s sent a scoping form on %s, but %s. It is held for a person: not filed, not circulated, and the return is still awaited.", tt.agency, c.ref, why), in)
		}
	}
	if form != nil && !returnAnswered(form) {
		res.Disposition = DispForPerson
		if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_empty", "a scoping form with none of its questions answered; not counted as the return"); err != nil {
			return err
		}
		if err := t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s sent a scoping form with none of its questions answered. It is recorded; it does not count as the return, and chasing goes on.", tt.agency), in); err != nil {
			return err
		}
		if in.Auto != "" {
			return nil
		}
		c, err := t.caseView(ctx, tx, tt.caseID, now)
		if err != nil {
			return err
		}
		_, err = t.enqueue(ctx, tx, now, outMsg{
			caseID: tt.caseID, agency: tt.agency, tmpl: TmplReturnEmpty,
			to: []string{in.From}, sender: in.From, inReplyTo: in.MessageID, references: append(in.References, in.MessageID),
			data: &MailData{Case: c, Agency: t.agencyView(ctx, tx, tt.caseID, tt.agency), Due: returnDue(ctx, tx, tt.caseID, tt.agency)},
		})
		return err
	}
	status := ""
	switch {
	case form != nil && form.Fields["child_known"] == "no" && form.Fields["family_known"] == "no":
		status = "nil_return"
	case form != nil:
		status = "received"
	case in.BodyForm != nil && in.BodyForm.Kind == FormScopingReturn && in.BodyForm.Fields["child_known"] == "no" && in.BodyForm.Fields["family_known"] == "no":
		status = "nil_return"
	}
	var unread []string
	for _, a := range in.Attachments {
		if a.Form == nil && a.ParseError != "" {
			unread = append(unread, fmt.Sprintf("%s (%s)", a.Name, a.ParseError))
		}
	}
	if status == "" {
		res.Disposition = DispForPerson
		why := "a reply with no scoping form csprbot could read"
		if len(unread) > 0 {
			why = "a reply whose attachment could not be read: " + strings.Join(unread, "; ")
		}
		if err := audit(ctx, tx, now, tt.caseID, tt.agency, "message_in", why+"; recorded for a person"); err != nil {
			return err
		}
		return t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s sent %s. It is recorded on the case; the return is still awaited.", tt.agency, why), in)
	}
	r, err := tx.ExecContext(ctx, `UPDATE returns SET status = ?, received_at = ? WHERE case_id = ? AND agency = ? AND kind = 'scoping' AND status NOT IN ('received', 'nil_return')`,
		status, ts(in.ReceivedAt), tt.caseID, tt.agency)
	if err != nil {
		return err
	}
	res.Disposition = DispReturn
	if n, _ := r.RowsAffected(); n == 0 {
		// A second return, or a return we never asked for: recorded, for a person.
		if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_extra", "a further return was recorded on the case"); err != nil {
			return err
		}
		return t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s sent a further return; it is recorded on the case.", tt.agency), in)
	}
	if err := t.meetDeadline(ctx, tx, now, tt.caseID, "scoping_return", tt.agency, in.ReceivedAt); err != nil {
		return err
	}
	label := "scoping return received"
	if status == "nil_return" {
		label = "nil return received (child and family not known to the agency)"
	}
	if err := audit(ctx, tx, now, tt.caseID, tt.agency, "return_"+status, label); err != nil {
		return err
	}
	if err := t.maybeAdvanceStage(ctx, tx, now, tt.caseID); err != nil {
		return err
	}
	if err := t.forwardLateReturn(ctx, tx, now, tt.caseID, tt.agency, in); err != nil {
		return err
	}
	if in.Auto != "" {
		// Filed from automatic mail: the machine gets no reply; staff hear of it.
		return t.tellStaff(ctx, tx, now, tt.caseID, fmt.Sprintf("%s's return arrived as automatic mail (%s) and was filed; no acknowledgement was sent to the automatic sender.", tt.agency, in.Auto), in)
	}
	c, err := t.caseView(ctx, tx, tt.caseID, now)
	if err != nil {
		return err
	}
	ag := t.agencyView(ctx, tx, tt.caseID, tt.agency)
	_, err = t.enqueue(ctx, tx, now, outMsg{
		caseID: tt.caseID, agency: tt.agency, tmpl: TmplReturnReceived,
		to: []string{in.From}, sender: in.From, inReplyTo: in.MessageID, references: append(in.References, in.MessageID),
		data: &MailData{Case: c, Agency: ag, Reason: label},
	})
	return err
}

// staffMessage: a staff member replied to one of our emails. Commands are read by the
// command handler; anything else is recorded.
func (t *Tracker) staffMessage(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) error {
	res.Disposition = DispForPerson
	if f := referralForm(in); f != nil {
		c, err := loadCase(ctx, tx, "id = ?", tt.caseID)
		if err != nil {
			return err
		}
		if formMismatch(f, c.ref, c.initials) != "" {
			// Another child's referral forwarded on this case's thread is a new referral:
			// it opens its own case (staff hear of it as of any), never filed on this one.
			if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in", "a referral for another child arrived on this case's thread: opened as a case of its own"); err != nil {
				return err
			}
			return t.newCase(ctx, tx, now, in, f, false, res)
		}
	}
	// staffCommands authenticates (our token, or the trusted server's DKIM/DMARC pass)
	// and refuses what it cannot trust.
	handled, err := t.staffCommands(ctx, tx, now, in, tt)
	if err != nil {
		return err
	}
	if handled {
		res.Disposition = "command"
		return nil
	}
	if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in", "staff message recorded on the case; no command in it"); err != nil {
		return err
	}
	// Never recorded silently: a staff member who meant a command ("Approve reviewer" in a
	// form csprbot did not read, a command under a greeting) learns that nothing was done.
	return t.commandReply(ctx, tx, now, in, tt, "Your message on "+tt.ref+" is recorded on the case",
		[]string{"csprbot found no command in it, so it has done nothing else. Commands go on the first lines of your reply, one a line, for example: Approve reviewer. They are: " + CommandHelp})
}

// tellStaff queues a note to every staff member that something needs a person.
func (t *Tracker) tellStaff(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, reason string, in *Incoming) error {
	if len(t.cfg.Staff) == 0 {
		return nil
	}
	var c CaseView
	if caseID != 0 {
		var err error
		if c, err = t.caseView(ctx, tx, caseID, now); err != nil {
			return err
		}
	}
	lines := []string{"From: " + normAddr(in.From), "Received: " + in.ReceivedAt.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"), "Message-ID: " + in.MessageID}
	for _, a := range in.Attachments {
		l := "Attachment: " + a.Name
		if a.ParseError != "" {
			l += " (could not be read: " + a.ParseError + ")"
		} else if a.Form != nil {
			l += " (" + a.Form.Kind + ")"
		}
		lines = append(lines, l)
	}
	id, err := t.enqueue(ctx, tx, now, outMsg{
		caseID: caseID, tmpl: TmplStaffAttention, to: t.staffAddrs(),
		data: &MailData{Case: c, Reason: reason, Lines: lines},
	})
	if err != nil || caseID != 0 {
		return err
	}
	// A notice about a message on no case names it, for "Open case" by reply.
	_, err = tx.ExecContext(ctx, `UPDATE outbox SET about_message = ? WHERE message_id = ?`, in.MessageID, id)
	return err
}

func (t *Tracker) staffAddrs() []string {
	var out []string
	for _, p := range t.cfg.Staff {
		out = append(out, p.Email)
	}
	return out
}

// recordFailed records a message whose processing failed, with the reason, advances the
// cursor past it and tells staff. It fails only if the store is unavailable.
func (t *Tracker) recordFailed(ctx context.Context, in *Incoming, cause error) error {
	return t.tx(ctx, func(tx *sql.Tx) error {
		now := t.Now()
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE message_id = ?`, in.MessageID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			in.Problems = append(in.Problems, "processing failed: "+cause.Error())
			id, err := insertMessage(ctx, tx, in, now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET disposition = ?, content_sha256 = ? WHERE id = ?`, DispFailed, contentDigest(in), id); err != nil {
				return err
			}
			if err := audit(ctx, tx, now, 0, normAddr(in.From), "message_in_failed", fmt.Sprintf("%s recorded but not processed: %v", in.MessageID, cause)); err != nil {
				return err
			}
			// A person must see it: the failure is not a silent note in the audit trail.
			if err := t.tellStaff(ctx, tx, now, 0, "A message could not be processed (the reason is recorded with it). It is kept whole for a person to read and act on.", in); err != nil {
				if storeUnavailable(err) {
					return err
				}
				// The notice itself failed (what broke the processing may break it too): the
				// message is still recorded, counted in the digest and shown by csprbot.
				t.log.Error("staff notice of a failed message not queued", "message_id", in.MessageID, "err", err)
			}
		}
		return markIntake(ctx, tx, in)
	})
}
