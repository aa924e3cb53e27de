-- Schema 13: a staff member's commands (or report) that csprbot could not authenticate,
-- waiting for the staff member to confirm them by replying "Confirm" to csprbot's answer
-- (reply_msgid): the reply carries our token to the staff address, so only the real
-- mailbox can confirm.
CREATE TABLE pending_commands (
	id           INTEGER PRIMARY KEY,
	case_id      INTEGER REFERENCES cases(id),   -- NULL for commands about no case
	staff        TEXT NOT NULL,
	message_id   TEXT NOT NULL,
	commands     TEXT NOT NULL DEFAULT '',
	reply_msgid  TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending',
	created_at   TEXT NOT NULL,
	confirmed_at TEXT
);
CREATE INDEX pending_commands_reply ON pending_commands(reply_msgid);
