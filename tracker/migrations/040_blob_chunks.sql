-- Schema 40: a large attachment or raw message is stored in chunks of at most 512 KiB,
-- written from the intake's spool file one chunk at a time, so that storing it never
-- holds it whole in memory (modernc's driver copies a bound []byte into C memory and
-- SQLite copies it again). Small ones stay inline in attachments.data / messages.raw.
CREATE TABLE IF NOT EXISTS blob_chunks (
	id    INTEGER PRIMARY KEY,
	kind  TEXT NOT NULL,    -- 'raw' (owner = messages.id) or 'attachment' (owner = attachments.id)
	owner INTEGER NOT NULL,
	seq   INTEGER NOT NULL, -- 0, 1, 2, ...
	data  BLOB NOT NULL,
	UNIQUE (kind, owner, seq)
);
ALTER TABLE attachments ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN raw_chunks INTEGER NOT NULL DEFAULT 0;

-- Clearing the content (retention's purge sets data or raw to NULL) clears the chunks.
CREATE TRIGGER IF NOT EXISTS attachments_data_cleared AFTER UPDATE OF data ON attachments
	WHEN NEW.data IS NULL AND OLD.chunks > 0
BEGIN
	DELETE FROM blob_chunks WHERE kind = 'attachment' AND owner = OLD.id;
	UPDATE attachments SET chunks = 0 WHERE id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS messages_raw_cleared AFTER UPDATE OF raw ON messages
	WHEN NEW.raw IS NULL AND OLD.raw_chunks > 0
BEGIN
	DELETE FROM blob_chunks WHERE kind = 'raw' AND owner = OLD.id;
	UPDATE messages SET raw_chunks = 0 WHERE id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS attachments_chunks_deleted AFTER DELETE ON attachments WHEN OLD.chunks > 0
BEGIN
	DELETE FROM blob_chunks WHERE kind = 'attachment' AND owner = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS messages_chunks_deleted AFTER DELETE ON messages WHEN OLD.raw_chunks > 0
BEGIN
	DELETE FROM blob_chunks WHERE kind = 'raw' AND owner = OLD.id;
END;
