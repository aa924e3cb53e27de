-- Schema 9: indexes for the read commands and views (csprbot cases, case REF, digest),
-- so that each reads its rows through an index instead of scanning a table that grows
-- with every case: a case's deadlines in due order (the next one first), its returns,
-- agencies, and emails sent, and the audit trail by time for the digest's week.
CREATE INDEX IF NOT EXISTS deadlines_case_due ON deadlines(case_id, due_at);
CREATE INDEX IF NOT EXISTS returns_case ON returns(case_id);
CREATE INDEX IF NOT EXISTS case_agencies_case ON case_agencies(case_id);
CREATE INDEX IF NOT EXISTS outbox_case ON outbox(case_id);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
