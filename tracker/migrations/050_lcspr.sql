-- Schema 50: the case past the Rapid Review (process.md stages 10–16).

-- What was decided after the Rapid Review (or the National Panel's answer): local |
-- national | alternative | none, and when: the six-month clock (lcspr_publication) counts
-- from decision_at. awaiting_panel is 1 while a national review recommended to the Panel
-- waits for its answer.
ALTER TABLE cases ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN decision_at TEXT;
ALTER TABLE cases ADD COLUMN awaiting_panel INTEGER NOT NULL DEFAULT 0;
-- The local review's particulars: lead reviewer, publication date and where it is.
ALTER TABLE cases ADD COLUMN lead_reviewer TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN lead_reviewer_email TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN publish_on TEXT;
ALTER TABLE cases ADD COLUMN published_at TEXT;
ALTER TABLE cases ADD COLUMN published_url TEXT NOT NULL DEFAULT '';

-- A return is any document requested from an agency by a date: kind scoping (Appendix 3),
-- chronology (Appendix 10), agency_report (Appendix 9) or action_evidence (an action of
-- the action plan, item naming it). what is what the panel sent it back for, if it did.
-- SQLite cannot drop the old UNIQUE (case_id, agency), so the table is rebuilt.
CREATE TABLE returns_new (
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
	due_set_at    TEXT,
	kind          TEXT NOT NULL DEFAULT 'scoping',
	item          TEXT NOT NULL DEFAULT '',
	what          TEXT NOT NULL DEFAULT '',
	UNIQUE (case_id, agency, kind, item)
);
INSERT INTO returns_new(id, case_id, agency, email, requested_at, due_at, received_at, status, chasers_sent, request_msgid, note, due_set_at)
	SELECT id, case_id, agency, email, requested_at, due_at, received_at, status, chasers_sent, request_msgid, note, due_set_at FROM returns;
DROP TABLE returns;
ALTER TABLE returns_new RENAME TO returns;
CREATE INDEX IF NOT EXISTS returns_status ON returns(status);
CREATE INDEX IF NOT EXISTS returns_case ON returns(case_id);

-- Emails to the National Panel, Ofsted, the DfE or the NSPCC prepared after the Rapid
-- Review (the lead reviewer notice, the final report, the NSPCC submission, the notice that
-- publication will be late): each waits in the outbox ('awaiting_approval') until a person
-- approves it, and is sent once.
CREATE TABLE national_notices (
	id           INTEGER PRIMARY KEY,
	case_id      INTEGER NOT NULL REFERENCES cases(id),
	what         TEXT NOT NULL,       -- reviewer_notification | final_report | nspcc_submission | publication_delay
	outbox_msgid TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'awaiting_approval', -- awaiting_approval | approved | superseded
	approved_by  TEXT NOT NULL DEFAULT '',
	approved_at  TEXT,
	created_at   TEXT NOT NULL
);
CREATE INDEX national_notices_case ON national_notices(case_id);
CREATE INDEX national_notices_outbox ON national_notices(outbox_msgid);

-- The Terms of Reference (Appendix 6) as last read: what staff confirmed, and its timetable.
CREATE TABLE terms_of_reference (
	case_id      INTEGER PRIMARY KEY REFERENCES cases(id),
	form_json    TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'proposed',  -- proposed | confirmed
	received_at  TEXT NOT NULL,
	confirmed_at TEXT,
	confirmed_by TEXT NOT NULL DEFAULT ''
);
