package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RecordUnread records a message that csprbot received but did not read (larger than
// imap.max_message_size, or one this machine could not hold to read), from its header
// alone: in.Problems says why, and notice, for staff, says why and how to find it in the
// mailbox. Like Ingest, it is one transaction that also advances the mailbox cursor;
// staff are told in it. A message already recorded (the same Message-ID, sender and
// subject: read again under a new UIDVALIDITY, say) is a duplicate: nothing is recorded
// and nobody is told again. The message is tied to a case when its header ties it
// (a reply to our email, a [REF] tag from a known sender), else left for triage, where
// "Open case" by reply opens a case from it.
func (t *Tracker) RecordUnread(ctx context.Context, in *Incoming, notice string) (IngestResult, error) {
	if in.MessageID == "" {
		return IngestResult{}, errors.New("tracker: record unread: no Message-ID")
	}
	res, err := t.recordOnce(ctx, in, func(tx *sql.Tx, now time.Time, msgRow int64, digest string, res *IngestResult) error {
		tt, err := t.findTie(ctx, tx, in)
		if err != nil {
			return err
		}
		*res = IngestResult{Disposition: DispTriage, CaseRef: tt.ref, Agency: tt.agency}
		if tt.caseID != 0 {
			res.Disposition = DispForPerson
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET case_id = ?, agency = ?, disposition = ?, content_sha256 = ? WHERE id = ?`,
			nullID(tt.caseID), tt.agency, res.Disposition, digest, msgRow); err != nil {
			return err
		}
		if err := audit(ctx, tx, now, tt.caseID, normAddr(in.From), "message_in_unread",
			in.MessageID+": "+strings.Join(in.Problems, "; ")); err != nil {
			return err
		}
		msg := notice // the transaction may run again: add to a copy
		if tt.caseID == 0 {
			msg += "\n\nIf it is a referral, reply to this email with the line\n\n    Open case\n\n" +
				"and csprbot opens a case from it, counting from the day it arrived (add what it carries by hand)."
		}
		return t.tellStaff(ctx, tx, now, tt.caseID, msg, in)
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("tracker: record unread %s: %w", in.MessageID, dbErr(err))
	}
	t.log.Info("message recorded unread", "message_id", in.MessageID, "disposition", res.Disposition, "case", res.CaseRef)
	return res, nil
}
