-- Schema 60: the drafts csprbot writes for the team (issue 14): the Rapid Review report
-- (Appendix 5) sent once with the papers, and each combined chronology sent, with the
-- documents it was made from (sources), so that a later return sends an updated one.
CREATE TABLE drafts (
	id           INTEGER PRIMARY KEY,
	case_id      INTEGER NOT NULL REFERENCES cases(id),
	kind         TEXT NOT NULL,               -- rr_report | chronology
	outbox_msgid TEXT NOT NULL DEFAULT '',
	recipients   TEXT NOT NULL DEFAULT '',
	sources      TEXT NOT NULL DEFAULT '',
	actor        TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL
);
CREATE INDEX drafts_case ON drafts(case_id, kind);
