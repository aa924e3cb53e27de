-- Schema 90: the scheduler settles a closed case still waiting for something at each pass
-- (settle.go). It finds them from the pending deadlines and the returns still awaited, not
-- by looking at every closed case: this index holds the pending deadlines alone.
CREATE INDEX IF NOT EXISTS deadlines_pending ON deadlines(case_id) WHERE status = 'pending';
