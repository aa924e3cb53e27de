-- Schema 2: the Rapid Review after scoping: the meeting and its papers, the report and the
-- National Panel submission, reminders about the statutory partners' own deadlines, and
-- the weekly digest.

-- One Rapid Review meeting per case. uid is the iCalendar UID, fixed for the case; sequence
-- rises with each change or cancellation.
CREATE TABLE meetings (
	case_id      INTEGER PRIMARY KEY REFERENCES cases(id),
	uid          TEXT NOT NULL UNIQUE,
	sequence     INTEGER NOT NULL DEFAULT 0,
	at           TEXT NOT NULL,
	minutes      INTEGER NOT NULL DEFAULT 90,
	status       TEXT NOT NULL DEFAULT 'set',   -- set | cancelled
	invitees     TEXT NOT NULL DEFAULT '',      -- addresses, comma-separated, as last invited
	papers_at    TEXT,                          -- when the papers were circulated
	set_by       TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL
);

-- Which incoming messages' documents went out as meeting papers (the referral, each
-- return), so that none goes twice and a late return is forwarded once.
CREATE TABLE papers_sent (
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	message_id INTEGER NOT NULL REFERENCES messages(id),
	at         TEXT NOT NULL,
	PRIMARY KEY (case_id, message_id)
);

-- The Rapid Review report received and the submission prepared from it. The draft in the
-- outbox waits in status 'awaiting_approval' until a staff member approves.
CREATE TABLE submissions (
	id              INTEGER PRIMARY KEY,
	case_id         INTEGER NOT NULL REFERENCES cases(id),
	report_msg      TEXT NOT NULL,                -- Message-ID of the staff email carrying the report
	report_name     TEXT NOT NULL DEFAULT '',
	review_date     TEXT NOT NULL DEFAULT '',
	recommendation  TEXT NOT NULL DEFAULT '',
	rationale       TEXT NOT NULL DEFAULT '',
	quorate         INTEGER NOT NULL DEFAULT 0,
	missing         TEXT NOT NULL DEFAULT '',     -- partners without a participant
	outbox_msgid    TEXT NOT NULL DEFAULT '',     -- the prepared email to the National Panel
	status          TEXT NOT NULL DEFAULT 'awaiting_approval', -- awaiting_approval | approved | superseded
	received_by     TEXT NOT NULL DEFAULT '',
	approved_by     TEXT NOT NULL DEFAULT '',
	approved_at     TEXT,
	created_at      TEXT NOT NULL
);
CREATE INDEX submissions_case ON submissions(case_id);

-- Reminders about a case's statutory deadlines (panel_notification, ofsted_sos_notification):
-- one 'before' and one 'overdue' each, at most.
CREATE TABLE statutory_sent (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	rule    TEXT NOT NULL,
	kind    TEXT NOT NULL,  -- before | overdue
	at      TEXT NOT NULL,
	PRIMARY KEY (case_id, rule, kind)
);

-- One weekly digest per week (the London date of the Monday, or the configured day).
CREATE TABLE digests (
	week    TEXT PRIMARY KEY,
	sent_at TEXT NOT NULL
);
