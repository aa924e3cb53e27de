-- Schema 7: an email is claimed for sending in a committed transaction before the SMTP
-- conversation (status 'sending', the attempt counted), so that a store that cannot be
-- written sends nothing and an email whose outcome could not be recorded is not sent again
-- while that outcome is unknown.
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
-- The csprbot process (a random name per run) that claimed it.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
-- How many times a later csprbot found the email still 'sending': each time, one that
-- stopped (a crash, a kill) inside its SMTP conversation, so the server may have it.
ALTER TABLE outbox ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0;
