-- Schema 80: the MESI subgroup's reply is read as a sign-off (issue 10). Each action's
-- evidence row keeps the Message-ID of the email that asked the subgroup to sign it off, so
-- that a reply to that email ("Signed off", "Agreed") signs off the action it asked about.
-- And a case keeps the Rapid Review recommendation its decision came from (d to j: "no
-- further review" is worded as the guidance words the recommendation, never "none").
ALTER TABLE returns ADD COLUMN signoff_msgid TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS returns_signoff ON returns(signoff_msgid) WHERE signoff_msgid != '';
ALTER TABLE cases ADD COLUMN decision_rec TEXT NOT NULL DEFAULT '';
