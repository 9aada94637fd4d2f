-- Notification titles and bodies are shown only inside the signed-in app, and they can name a case or a person
-- ("Case KIN-241121-7 assigned: assault in Kibera"): they are encrypted at rest like every other sensitive column
-- (field encryption, key ring "fields", bound to platform.notifications.title / .body).
--
-- SQL cannot encrypt (the keys live in the application), so rows written in plain text before this migration cannot
-- be converted here. Haven has not been released, so only development databases can hold any; they are removed
-- rather than left readable. A notification only points at a module record, which is untouched; push jobs for a
-- removed notification find nothing to send and finish.
DELETE FROM platform.notifications;
ALTER TABLE platform.notifications
    ALTER COLUMN title TYPE bytea USING convert_to(title, 'UTF8'),
    ALTER COLUMN body TYPE bytea USING convert_to(body, 'UTF8');
