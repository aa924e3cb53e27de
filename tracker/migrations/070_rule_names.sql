-- Schema 70: every deadline under one of process.md's rule names (issue 10). An earlier
-- csprbot kept two names of its own; their rows are renamed, none dropped.
--
-- publication_kept (the published report kept on the website 12 months) is now the second
-- deadline of nspcc_submission ("kept on the website — on publication; for at least 12
-- months"), told apart from the submission itself (agency '') by its agency column,
-- 'kept on the website' (tracker.KeptAgency).
UPDATE OR IGNORE deadlines SET rule = 'nspcc_submission', agency = 'kept on the website'
	WHERE rule = 'publication_kept';

-- tor_timetable (a Terms of Reference timetable row whose action, kept in the agency
-- column, named no chronology, agency report or learning event) goes under the process
-- step it is a step of, by the same words and in the same order as timetableRule
-- (lcspr_tor.go): change both together.
UPDATE OR IGNORE deadlines SET rule = CASE
		WHEN lower(agency) LIKE '%chronolog%' OR lower(agency) LIKE '%agency report%' OR lower(agency) LIKE '%information report%' THEN 'lcspr_returns'
		WHEN lower(agency) LIKE '%learning event%' OR lower(agency) LIKE '%practitioner event%' OR lower(agency) LIKE '%workshop%' OR lower(agency) LIKE '%family%' THEN 'learning_event'
		WHEN lower(agency) LIKE '%nspcc%' THEN 'nspcc_submission'
		WHEN lower(agency) LIKE '%publi%' THEN 'lcspr_publication'
		WHEN lower(agency) LIKE '%report%' THEN 'final_report'
		ELSE 'lcspr_publication' END
	WHERE rule = 'tor_timetable';

-- A row that would have collided with one already under the new name (the same words
-- under both: not something csprbot wrote, but a store may have been edited by hand)
-- keeps its place with its old id in the agency column, rather than being lost.
UPDATE deadlines SET rule = 'nspcc_submission', agency = 'kept on the website (deadline ' || id || ')'
	WHERE rule = 'publication_kept';
UPDATE deadlines SET agency = agency || ' (deadline ' || id || ')', rule = CASE
		WHEN lower(agency) LIKE '%chronolog%' OR lower(agency) LIKE '%agency report%' OR lower(agency) LIKE '%information report%' THEN 'lcspr_returns'
		WHEN lower(agency) LIKE '%learning event%' OR lower(agency) LIKE '%practitioner event%' OR lower(agency) LIKE '%workshop%' OR lower(agency) LIKE '%family%' THEN 'learning_event'
		WHEN lower(agency) LIKE '%nspcc%' THEN 'nspcc_submission'
		WHEN lower(agency) LIKE '%publi%' THEN 'lcspr_publication'
		WHEN lower(agency) LIKE '%report%' THEN 'final_report'
		ELSE 'lcspr_publication' END
	WHERE rule = 'tor_timetable';
