-- Schema 61: the scheduler round that follows every message reads only what is due
-- (issue 11.1). The statutory reminders' deadlines are found by rule, status and due time
-- (deadlines_rule was rule and status alone: every pending notification of every case was
-- read to find the few in the reminder window), and the cases at one stage through an
-- index, not a scan of every case (the Terms of Reference drafts of local reviews).
CREATE INDEX IF NOT EXISTS deadlines_rule_due ON deadlines(rule, status, due_at);
DROP INDEX IF EXISTS deadlines_rule;
CREATE INDEX IF NOT EXISTS cases_stage ON cases(stage);
