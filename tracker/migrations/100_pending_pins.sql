-- Schema 100: what an unconfirmed "Approve" would approve, pinned when the staff member
-- wrote it (JSON: per command line, the submission and national notices then waiting), so
-- that "Confirm" approves those and never something prepared after the message was written.
-- '' for rows written before: an Approve in them is not carried out, the staff member is
-- asked to write it again.
ALTER TABLE pending_commands ADD COLUMN pinned TEXT NOT NULL DEFAULT '';
