-- Schema 3: what we know about addresses (bounces, refusals) and which queued emails staff
-- were already told are stuck.

CREATE TABLE address_status (
	address TEXT PRIMARY KEY,
	status  TEXT NOT NULL,              -- bounced | rejected
	detail  TEXT NOT NULL DEFAULT '',
	at      TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN stuck_alerted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN purged_at TEXT;
