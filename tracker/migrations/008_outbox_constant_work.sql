-- Schema 8: constant work per message, and alert times that survive a clock moved back.

-- The daily cap per address (MaxPerAddressPerDay) is a counter kept as mail is queued, not
-- a scan of the day's outbox for every email.
CREATE TABLE address_day (
	address TEXT NOT NULL,
	day     TEXT NOT NULL,   -- London date
	n       INTEGER NOT NULL,
	PRIMARY KEY (address, day)
);
-- Days whose counters are complete. A day without a row here (one that began before this
-- schema) is counted once from the outbox when mail is first queued on it.
CREATE TABLE address_days_counted (
	day TEXT PRIMARY KEY
);

-- The unsent-mail alert counts from waiting_since: created_at, unless a clock that moved
-- back found it in the future, when it starts again from that moment.
ALTER TABLE outbox ADD COLUMN waiting_since TEXT;
UPDATE outbox SET waiting_since = created_at;
-- Notices to staff are never alerted about (they are how staff are told): mark them (2) so
-- that the alert's index does not keep them for ever.
UPDATE outbox SET stuck_alerted = 2 WHERE kind = 'staff_attention' AND stuck_alerted = 0;
-- The alert reads only rows not yet alerted, queued by waiting time or held or failed.
CREATE INDEX outbox_unalerted ON outbox(status, waiting_since) WHERE stuck_alerted = 0;

-- Looked up per message or per return: a case's emails (reminders already sent), a
-- message's attachments, the approval of an email to a national body.
CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id, kind);
CREATE INDEX IF NOT EXISTS attachments_message ON attachments(message_id);
CREATE INDEX IF NOT EXISTS submissions_outbox ON submissions(outbox_msgid);
-- Each scheduler pass reads the pending statutory deadlines (panel and Ofsted
-- notifications) by rule, not every deadline of every case.
CREATE INDEX IF NOT EXISTS deadlines_rule ON deadlines(rule, status);
-- Each scheduler pass reads the returns still awaited, not every return ever received.
CREATE INDEX IF NOT EXISTS returns_status ON returns(status);

-- Defaults at insert: waiting_since from created_at, and a notice to staff marked as never
-- to be alerted about.
CREATE TRIGGER outbox_insert_defaults AFTER INSERT ON outbox
WHEN NEW.waiting_since IS NULL OR (NEW.kind = 'staff_attention' AND NEW.stuck_alerted = 0)
BEGIN
	UPDATE outbox SET waiting_since = coalesce(NEW.waiting_since, NEW.created_at),
		stuck_alerted = CASE WHEN NEW.kind = 'staff_attention' AND NEW.stuck_alerted = 0 THEN 2 ELSE NEW.stuck_alerted END
	WHERE id = NEW.id;
END;
