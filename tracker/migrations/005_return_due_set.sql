-- Schema 5: when a return's due date was last set (the request, or an extension), so that
-- an extended return gets a fresh reminder and fresh chasers for its new date.
ALTER TABLE returns ADD COLUMN due_set_at TEXT;
UPDATE returns SET due_set_at = requested_at;
