-- Schema 51: the practitioner learning event of a local review (Appendix 11): one per case,
-- its invitations (an iCalendar REQUEST each) and who answered what.
CREATE TABLE learning_events (
	case_id      INTEGER PRIMARY KEY REFERENCES cases(id),
	uid          TEXT NOT NULL UNIQUE,
	sequence     INTEGER NOT NULL DEFAULT 0,
	at           TEXT NOT NULL,
	minutes      INTEGER NOT NULL DEFAULT 240,
	venue        TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'set',   -- set | held
	invitees     TEXT NOT NULL DEFAULT '',      -- addresses, comma-separated
	reminded_at  TEXT,
	set_by       TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL
);

-- Each person's answer: a calendar reply (ACCEPTED, DECLINED, TENTATIVE) or a registration
-- by email ("I would like to attend": REGISTERED); the latest kept.
CREATE TABLE learning_replies (
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	attendee  TEXT NOT NULL,
	answer    TEXT NOT NULL,
	sequence  INTEGER NOT NULL DEFAULT 0,
	at        TEXT NOT NULL,
	PRIMARY KEY (case_id, attendee)
);
