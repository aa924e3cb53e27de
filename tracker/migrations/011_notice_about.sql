-- Schema 11: a staff notice about a message csprbot did not act on names that message, so
-- that a reply to the notice ("Open case") can act on it.
ALTER TABLE outbox ADD COLUMN about_message TEXT NOT NULL DEFAULT '';
