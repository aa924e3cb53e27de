package tracker

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// contentDigest is a digest of what a message says (sender, subject, bodies and every
// attachment), not of its transport headers: the same message delivered twice has the
// same digest, a different message that reuses a Message-ID does not.
func contentDigest(in *Incoming) string {
	h := sha256.New()
	field := func(b []byte) {
		h.Write([]byte(strconv.Itoa(len(b))))
		h.Write([]byte{0})
		h.Write(b)
	}
	field([]byte(normAddr(in.From)))
	field([]byte(in.Subject))
	field([]byte(in.Text))
	field([]byte(in.HTML))
	field([]byte(in.Quarantine))
	for _, a := range in.Attachments {
		field([]byte(a.Name))
		if a.File != "" {
			writeFileField(h, a.File)
			continue
		}
		field(a.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// reusedMessageID reports whether in is a message already recorded (same Message-ID and
// same content). A different message under a Message-ID already seen (scanners and
// broken senders reuse them) is not a duplicate: it gets a Message-ID of its own, derived
// from its content, and the reuse is noted on it.
func (t *Tracker) reusedMessageID(ctx context.Context, tx *sql.Tx, in *Incoming, digest string) (bool, error) {
	var have string
	var raw []byte
	err := tx.QueryRowContext(ctx, `SELECT content_sha256, raw FROM messages WHERE message_id = ?`, in.MessageID).Scan(&have, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if have == digest || (have == "" && len(raw) > 0 && string(raw) == string(in.Raw)) {
		return true, nil
	}
	orig := in.MessageID
	in.MessageID = fmt.Sprintf("reused.%s.%s", digest[:16], orig)
	var again int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE message_id = ?`, in.MessageID).Scan(&again); err != nil {
		return false, err
	}
	if again > 0 {
		return true, nil
	}
	in.Problems = append(in.Problems, fmt.Sprintf("its Message-ID <%s> was already used by a different message; recorded as <%s>", orig, in.MessageID))
	return false, nil
}

// markIntake is the end of every intake transaction: the cursor moves past the message
// and its attempt row goes, together with what it carried.
func markIntake(ctx context.Context, tx *sql.Tx, in *Incoming) error {
	if err := finishAttempt(ctx, tx, in); err != nil {
		return err
	}
	return advanceCursor(ctx, tx, in.Mailbox, in.UIDValidity, in.UID)
}

// speaksFor reports whether the sender of in speaks for agency on the case: an address
// vouched for it (the directory's, or one staff added for this case), or an address in the
// same domain that the trusted server's DKIM/DMARC result authenticates.
func (t *Tracker) speaksFor(ctx context.Context, tx *sql.Tx, in *Incoming, caseID int64, agency string) (bool, error) {
	if in.FromSuspect {
		return false, nil // a malformed From is no one's
	}
	own, err := t.isAgencyAddress(ctx, tx, caseID, agency, in.From)
	if err != nil || own {
		return own, err
	}
	dom := domainOf(in.From)
	if dom == "" || !t.agencyOwnsDomain(agency, dom) {
		return false, nil
	}
	if _, other := t.cfg.agencyByEmail(in.From); other {
		return false, nil // another agency's own address speaks for that agency only
	}
	// Only the directory (an administrator's choice) gives an agency its domain: an
	// address staff vouched for on one case (a nursery's broadband mailbox, say) is that
	// address alone.
	ag, ok := t.cfg.agencyByName(agency)
	if !ok {
		return false, nil
	}
	for _, a := range []string{ag.Email, ag.StrategicLead} {
		if a != "" && strings.EqualFold(domainOf(a), dom) {
			ok, _ := t.authPass(in)
			return ok, nil
		}
	}
	return false, nil
}

// returnQuestions are the scoping form's questions: a form with none of them answered
// (csprbot's own blank form sent back, say) is not a return.
var returnQuestions = []string{"child_known", "family_known", "family_members_known", "involvement_summary",
	"open_now", "records_secured", "immediate_concerns", "learning"}

func returnAnswered(f *Form) bool {
	for _, k := range returnQuestions {
		if strings.TrimSpace(f.Fields[k]) != "" {
			return true
		}
	}
	for _, rows := range f.Tables {
		for _, row := range rows {
			for _, v := range row {
				if strings.TrimSpace(v) != "" {
					return true
				}
			}
		}
	}
	return false
}

// formMismatch says why a form cannot belong to the case it arrived on: the case
// reference printed on it, or the child's initials, are another case's. Empty if nothing
// on the form disagrees.
func formMismatch(f *Form, ref, initials string) string {
	printed := f.CaseRef
	if printed == "" {
		printed = f.Fields["case_ref"]
	}
	if m := refPattern().FindStringSubmatch(strings.ToUpper(printed)); m != nil {
		// However it is written ("LSCP 2026 099", "LSCP2026099", an en dash), the same
		// prefix, year and number.
		seq, _ := strconv.Atoi(m[3])
		if got := fmt.Sprintf("%s-%s-%03d", m[1], m[2], seq); !strings.EqualFold(got, ref) {
			return fmt.Sprintf("the form is printed with case reference %s, not %s", strings.TrimSpace(m[0]), ref)
		}
	}
	want := lettersOnly(initials)
	got := lettersOnly(f.Fields["child_initials"])
	if got != "" && want != "" && got != want {
		return "the child's initials on the form are not this case's"
	}
	// A form that names the child (the Rapid Review report does) names this case's child:
	// compared by initials, and only where the name has a first and a last word.
	if !nameFits(f.Fields["child_name"], want) {
		return "the child named on the form is not this case's"
	}
	return ""
}

// nameFits reports whether a child's name as a form writes it can be this case's child,
// whose initials are want. It judges only a name with a first and a last word, in either
// order ("TESTCASE, Ellie"), and takes initials written as a word ("Child ET") for what
// they are; anything else it cannot judge fits.
func nameFits(name, want string) bool {
	if len([]rune(want)) != 2 {
		return true
	}
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '.' }) {
		w = lettersOnly(w)
		switch w {
		case "":
			continue
		case want:
			return true
		case "CHILD", "BABY", "INFANT", "YOUNG", "PERSON", "MASTER", "MISS", "MR", "MRS", "MS", "UNBORN", "SIBLING":
			continue
		}
		words = append(words, w)
	}
	if len(words) < 2 {
		return true
	}
	first, last := []rune(words[0])[0], []rune(words[len(words)-1])[0]
	n := string([]rune{first, last})
	return n == want || string([]rune{last, first}) == want
}

// messageMismatch is formMismatch for every form a message carries, attached or in its
// body: one other case's form in a reply holds the whole reply.
func messageMismatch(in *Incoming, ref, initials string) string {
	for _, a := range in.Attachments {
		if a.Form != nil {
			if why := formMismatch(a.Form, ref, initials); why != "" {
				return a.Name + ": " + why
			}
		}
	}
	if in.BodyForm != nil {
		return formMismatch(in.BodyForm, ref, initials)
	}
	return ""
}

var refPattern = lazyRegexp(`([A-Z]{2,10})[\s\-–—_/.]*(\d{4})[\s\-–—_/.]*(\d{2,})`)

func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// returnDue is when an agency's return is due on a case (zero if none was asked for).
func returnDue(ctx context.Context, tx *sql.Tx, caseID int64, agency string) time.Time {
	var due string
	_ = tx.QueryRowContext(ctx, `SELECT due_at FROM returns WHERE case_id = ? AND agency = ? AND kind = 'scoping'`, caseID, agency).Scan(&due)
	d, _ := time.Parse(time.RFC3339, due)
	return d
}

// sharedMailDomains serve many organisations (or anyone): authenticating a sender there
// says nothing about which agency the sender works for.
var sharedMailDomains = map[string]bool{
	"nhs.net": true, "nhs.uk": true, "gov.uk": true, "gmail.com": true, "googlemail.com": true,
	"outlook.com": true, "hotmail.com": true, "hotmail.co.uk": true, "live.com": true, "live.co.uk": true,
	"yahoo.com": true, "yahoo.co.uk": true, "icloud.com": true, "me.com": true, "aol.com": true,
	"btinternet.com": true, "protonmail.com": true, "proton.me": true, "gcsx.gov.uk": true, "cjsm.net": true,
}

// agencyOwnsDomain reports whether dom is this agency's alone: not a shared mail domain,
// and no other agency, staff member or configured address of the directory uses it.
func (t *Tracker) agencyOwnsDomain(agency, dom string) bool {
	dom = strings.ToLower(dom)
	if sharedMailDomains[dom] {
		return false
	}
	own, _ := t.cfg.agencyByName(agency)
	for _, ag := range t.cfg.Agencies {
		if ag.Name == own.Name {
			continue
		}
		for _, a := range []string{ag.Email, ag.StrategicLead} {
			if a != "" && strings.EqualFold(domainOf(a), dom) {
				return false
			}
		}
	}
	for _, p := range t.cfg.Staff {
		if strings.EqualFold(domainOf(p.Email), dom) {
			return false
		}
	}
	return true
}
