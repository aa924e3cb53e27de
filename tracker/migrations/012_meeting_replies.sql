-- Schema 12: invitees' answers to the Rapid Review meeting request (iCalendar REPLY, or an
-- "Accepted:" / "Declined:" subject), one row per invitee, the latest answer kept.
CREATE TABLE meeting_replies (
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	attendee  TEXT NOT NULL,
	partstat  TEXT NOT NULL,
	sequence  INTEGER NOT NULL DEFAULT 0,
	at        TEXT NOT NULL,
	PRIMARY KEY (case_id, attendee)
);

-- The meeting sequence whose acceptances were last checked for quorum (-1: never), so the
-- warning goes once per version of the meeting.
ALTER TABLE meetings ADD COLUMN quorum_checked INTEGER NOT NULL DEFAULT -1;
