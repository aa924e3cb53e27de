-- Schema 1: cases, agencies' returns, deadlines, every message in and out, the audit trail.
-- Times are RFC 3339 UTC text.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- Where the intake has got to in each mailbox.
CREATE TABLE cursors (
	mailbox     TEXT PRIMARY KEY,
	uidvalidity INTEGER NOT NULL,
	last_uid    INTEGER NOT NULL
);

CREATE TABLE cases (
	id                INTEGER PRIMARY KEY,
	ref               TEXT NOT NULL UNIQUE,
	year              INTEGER NOT NULL,
	seq               INTEGER NOT NULL,
	stage             TEXT NOT NULL,
	child_initials    TEXT NOT NULL DEFAULT '',
	referral_received TEXT NOT NULL,
	aware_at          TEXT,
	incident_date     TEXT NOT NULL DEFAULT '',
	incident_kind     TEXT NOT NULL DEFAULT '',
	looked_after      INTEGER NOT NULL DEFAULT 0,
	referrer_name     TEXT NOT NULL DEFAULT '',
	referrer_agency   TEXT NOT NULL DEFAULT '',
	referrer_email    TEXT NOT NULL DEFAULT '',
	needs_completion  INTEGER NOT NULL DEFAULT 0,
	referral_json     TEXT NOT NULL DEFAULT '{}',
	created_at        TEXT NOT NULL,
	closed_at         TEXT,
	close_reason      TEXT NOT NULL DEFAULT '',
	UNIQUE (year, seq)
);

-- The agencies involved in a case: named by the referral, the statutory partners, added by staff.
CREATE TABLE case_agencies (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER NOT NULL REFERENCES cases(id),
	name     TEXT NOT NULL,
	email    TEXT NOT NULL DEFAULT '',
	partner  TEXT NOT NULL DEFAULT '',
	reason   TEXT NOT NULL DEFAULT '',
	source   TEXT NOT NULL,
	UNIQUE (case_id, name)
);

CREATE TABLE deadlines (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER NOT NULL REFERENCES cases(id),
	rule     TEXT NOT NULL,
	agency   TEXT NOT NULL DEFAULT '',
	from_at  TEXT,
	due_at   TEXT NOT NULL,
	status   TEXT NOT NULL DEFAULT 'pending',
	met_at   TEXT,
	note     TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, rule, agency)
);

-- Each agency's scoping return.
CREATE TABLE returns (
	id            INTEGER PRIMARY KEY,
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	agency        TEXT NOT NULL,
	email         TEXT NOT NULL,
	requested_at  TEXT NOT NULL,
	due_at        TEXT NOT NULL,
	received_at   TEXT,
	status        TEXT NOT NULL DEFAULT 'awaiting',
	chasers_sent  INTEGER NOT NULL DEFAULT 0,
	request_msgid TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, agency)
);

-- Every message that came in, whole.
CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	message_id   TEXT NOT NULL UNIQUE,
	mailbox      TEXT NOT NULL DEFAULT '',
	uidvalidity  INTEGER NOT NULL DEFAULT 0,
	uid          INTEGER NOT NULL DEFAULT 0,
	received_at  TEXT NOT NULL,
	from_addr    TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	in_reply_to  TEXT NOT NULL DEFAULT '',
	refs         TEXT NOT NULL DEFAULT '',
	auto         TEXT NOT NULL DEFAULT '',
	body_text    TEXT NOT NULL DEFAULT '',
	body_html    TEXT NOT NULL DEFAULT '',
	raw          BLOB,
	case_id      INTEGER REFERENCES cases(id),
	agency       TEXT NOT NULL DEFAULT '',
	disposition  TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL
);
CREATE INDEX messages_case ON messages(case_id);

CREATE TABLE attachments (
	id           INTEGER PRIMARY KEY,
	message_id   INTEGER NOT NULL REFERENCES messages(id),
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL DEFAULT '',
	size         INTEGER NOT NULL,
	data         BLOB,
	form_kind    TEXT NOT NULL DEFAULT '',
	form_json    TEXT NOT NULL DEFAULT '',
	error        TEXT NOT NULL DEFAULT ''
);

-- Every message csprbot sends, fixed before the first attempt.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT NOT NULL UNIQUE,
	case_id         INTEGER REFERENCES cases(id),
	agency          TEXT NOT NULL DEFAULT '',
	kind            TEXT NOT NULL,
	recipients      TEXT NOT NULL,
	subject         TEXT NOT NULL,
	email_json      TEXT NOT NULL,
	status          TEXT NOT NULL DEFAULT 'queued',
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- At most one automatic message per address per case per day (London date).
CREATE TABLE auto_sent (
	case_id  INTEGER NOT NULL,
	address  TEXT NOT NULL,
	day      TEXT NOT NULL,
	kind     TEXT NOT NULL,
	PRIMARY KEY (case_id, address, day)
);

-- Append-only record of everything that happened.
CREATE TABLE audit (
	id      INTEGER PRIMARY KEY,
	case_id INTEGER,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	event   TEXT NOT NULL,
	detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_case ON audit(case_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
