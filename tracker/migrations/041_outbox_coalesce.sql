-- Schema 41: which staff summaries are due (flushCoalesced, every sending round) is read
-- from this small covering index of the notices waiting to be gathered, not from their
-- rows (each holding its whole email as JSON).
CREATE INDEX IF NOT EXISTS outbox_coalesce ON outbox(recipients, id) WHERE status = 'coalesce';
