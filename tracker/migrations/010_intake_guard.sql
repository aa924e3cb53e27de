-- Schema 10: what intake needs to keep its promises against hostile and careless mail.
-- A content digest beside the Message-ID, so that a different message reusing an ID is
-- not taken for a duplicate.
ALTER TABLE messages ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';

-- An attempt to process a message, committed before the work starts and removed in the
-- transaction that records the message: a row left behind at start-up is a crash (or an
-- out-of-memory kill) during that message. slow counts the attempts that were still
-- reading after a few seconds (a bomb, a hang), so that a restart that merely happened
-- to land on the message is not taken for poison.
-- Keyed by a digest of the message's bytes, so that the count survives a new
-- UIDVALIDITY (the same message under another UID).
CREATE TABLE intake_attempts (
	key         TEXT PRIMARY KEY,
	mailbox     TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	uid         INTEGER NOT NULL,
	attempts    INTEGER NOT NULL,
	slow        INTEGER NOT NULL DEFAULT 0,
	first_at    TEXT NOT NULL,
	last_at     TEXT NOT NULL
);

-- An address typed into a form for an agency the directory does not know: shown to staff
-- as a suggestion, never a recipient. case_agencies.email holds only vouched addresses
-- (the directory's, or one staff added by command).
ALTER TABLE case_agencies ADD COLUMN suggested_email TEXT NOT NULL DEFAULT '';
