package tracker

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// FormNotification is the parser's kind for a local authority's notification of a serious
// incident to the National Panel or Ofsted (its confirmation, or a copy), which counts as
// a referral (process.md stage 1).
const FormNotification = "notification"

// notificationAsReferral reads a notification as the referral it stands for: the child's
// initials as the name (a notification names no child), the notifying authority as the
// referrer, the date it was notified as the date of referral. Its kind stays notification,
// so that the new case also records the notification as made (afterNotification).
func notificationAsReferral(n *Form) *Form {
	f := &Form{Kind: FormNotification, CaseRef: n.CaseRef, Fields: map[string]string{}, Tables: n.Tables, Warnings: n.Warnings, Unanswered: n.Unanswered}
	for k, v := range n.Fields {
		f.Fields[k] = v
	}
	if f.Fields["child_name"] == "" && n.Fields["child_initials"] != "" {
		// "RM" stands for the name, letter by letter, so that Initials gives it back.
		f.Fields["child_name"] = strings.Join(strings.Split(strings.ToUpper(strings.Join(strings.Fields(n.Fields["child_initials"]), "")), ""), " ")
	}
	if n.Fields["notified_at"] != "" {
		f.Fields["date_of_referral"] = n.Fields["notified_at"]
	}
	if n.Fields["referrer_agency"] == "" {
		f.Fields["referrer_agency"] = n.Fields["local_authority"]
	}
	if n.Fields["referrer_name"] == "" {
		f.Fields["referrer_name"] = n.Fields["notifier_name"]
	}
	return f
}

// afterNotification records on a case opened from a notification that the notification it
// carries was made: panel_notification (and ofsted_sos_notification, where it went to
// Ofsted too) met on the date it gives, or on the day it arrived.
func (t *Tracker) afterNotification(ctx context.Context, tx *sql.Tx, now time.Time, caseID int64, f *Form, received time.Time) error {
	at := received
	if d, err := ParseLondonDate(f.Fields["notified_at"], t.cal.Location()); err == nil {
		at = t.doneOn(d, received)
	}
	to := f.Fields["notified_to"]
	var done []string
	if to == "" || strings.Contains(to, "national_panel") {
		if err := t.meetDeadline(ctx, tx, now, caseID, "panel_notification", "", at); err != nil {
			return err
		}
		done = append(done, "panel_notification")
	}
	if strings.Contains(to, "ofsted") {
		if err := t.meetDeadline(ctx, tx, now, caseID, "ofsted_sos_notification", "", at); err != nil {
			return err
		}
		done = append(done, "ofsted_sos_notification")
	}
	detail := fmt.Sprintf("opened from the local authority's notification (%s) of %s: %s met", orNone(f.Fields["panel_reference"]), t.londonDay(at), strings.Join(done, ", "))
	return audit(ctx, tx, now, caseID, "csprbot", "notification", detail)
}
