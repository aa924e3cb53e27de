-- Schema 14: the digest's triage line counts the week's messages by disposition.
CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at, disposition);
