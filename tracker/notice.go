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

// staffOnNotice handles a staff member's reply to a notice about a message that is on no
// case. "Open case" opens a case from that message, with the day it arrived as day 0.
// It is obeyed only from the staff member the notice went to, in a reply carrying its
// token; anything else in such a reply is recorded for a person.
func (t *Tracker) staffOnNotice(ctx context.Context, tx *sql.Tx, now time.Time, in *Incoming, tt tie, res *IngestResult) error {
	res.Disposition = DispForPerson
	staff, _ := t.cfg.isStaff(in.From)
	lines := commandLines(in.Text)
	if len(lines) == 0 || strings.Join(strings.Fields(strings.ToLower(lines[0])), " ") != "open case" {
		// Any other command about no case (Clear address:), or Confirm, in reply to the notice.
		handled, err := t.staffCommands(ctx, tx, now, in, tt)
		if err != nil || handled {
			if handled {
				res.Disposition = "command"
			}
			return err
		}
		return audit(ctx, tx, now, 0, normAddr(in.From), "message_in", "a staff reply to a notice, with no command; recorded")
	}
	if !tt.addressedTo(staff.Email) {
		if err := audit(ctx, tx, now, 0, normAddr(in.From), "command_refused", `"Open case" refused: not a reply to csprbot's notice to this staff member`); err != nil {
			return err
		}
		return t.commandReply(ctx, tx, now, in, tie{}, "Your message was not obeyed: it is not a reply to the notice csprbot sent to you.", []string{`"Open case" refused`})
	}
	var about string
	if err := tx.QueryRowContext(ctx, `SELECT about_message FROM outbox WHERE message_id = ?`, tt.ourID).Scan(&about); err != nil {
		return err
	}
	orig, caseID, err := storedIncoming(ctx, tx, about)
	if errors.Is(err, sql.ErrNoRows) || about == "" {
		return t.commandReply(ctx, tx, now, in, tie{}, "Your command could not be carried out.", []string{`"Open case" refused: this notice is not about a message csprbot can open a case from`})
	}
	if err != nil {
		return err
	}
	if caseID != 0 {
		c, err := loadCase(ctx, tx, "id = ?", caseID)
		if err != nil {
			return err
		}
		return t.commandReply(ctx, tx, now, in, tie{caseID: caseID, ref: c.ref}, "Your commands on "+c.ref, []string{fmt.Sprintf(`"Open case": the message is already on case %s`, c.ref)})
	}
	var opened IngestResult
	form := referralForm(orig)
	if err := t.newCase(ctx, tx, now, orig, form, form == nil, &opened); err != nil {
		return err
	}
	c, err := loadCase(ctx, tx, "ref = ?", opened.CaseRef)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET case_id = ?, disposition = ? WHERE message_id = ?`, c.id, opened.Disposition, about); err != nil {
		return err
	}
	actor := normAddr(staff.Email)
	if err := audit(ctx, tx, now, c.id, actor, "case_opened_by_staff", fmt.Sprintf("case opened by %s from message %s (day 0: the day it arrived)", actor, about)); err != nil {
		return err
	}
	res.Disposition, res.CaseRef = "command", c.ref
	return t.commandReply(ctx, tx, now, in, tie{caseID: c.id, ref: c.ref}, "Your commands on "+c.ref,
		[]string{fmt.Sprintf(`"Open case" done: case %s opened from the message that arrived %s; its deadlines count from then`, c.ref, orig.ReceivedAt.In(t.cal.Location()).Format("Mon 2 Jan 2006 15:04"))})
}

// storedIncoming rebuilds a recorded message as intake saw it (sender, arrival, what its
// attachments were read as), and the case it is on (0 if none).
func storedIncoming(ctx context.Context, tx *sql.Tx, messageID string) (*Incoming, int64, error) {
	in := &Incoming{MessageID: messageID}
	var id int64
	var caseID sql.NullInt64
	var received string
	err := tx.QueryRowContext(ctx, `SELECT id, from_addr, received_at, auto, subject, body_text, case_id FROM messages WHERE message_id = ?`, messageID).
		Scan(&id, &in.From, &received, &in.Auto, &in.Subject, &in.Text, &caseID)
	if err != nil {
		return nil, 0, err
	}
	in.ReceivedAt, _ = time.Parse(time.RFC3339, received)
	rows, err := tx.QueryContext(ctx, `SELECT name, content_type, form_json, error FROM attachments WHERE message_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var a InAttachment
		var fj string
		if err := rows.Scan(&a.Name, &a.ContentType, &fj, &a.ParseError); err != nil {
			return nil, 0, err
		}
		if fj != "" {
			var f Form
			if json.Unmarshal([]byte(fj), &f) == nil {
				a.Form = &f
			}
		}
		in.Attachments = append(in.Attachments, a)
	}
	return in, caseID.Int64, rows.Err()
}
