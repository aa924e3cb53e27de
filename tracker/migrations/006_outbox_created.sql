-- Schema 6: the per-address daily cap counts today's outbox rows on every email queued;
-- an index keeps that from scanning years of sent mail.
CREATE INDEX outbox_created ON outbox(created_at);
