-- Foreign keys to platform.users from the kernel tables that were written before identity existed.
--
-- Per table, what happens to a user's rows when the account is deleted:
--   notifications, notification_preferences, devices, realtime_connections  CASCADE: they exist only for that user
--       (a push token of a deleted account must never be used again; presence of a deleted user is meaningless).
--       realtime_memberships already cascade from their connection.
--   files.uploaded_by, role_grants.granted_by  SET NULL: the file belongs to the module record that holds it, and the
--       grant to the user who received it; only the link to who did it goes.
--   audit_entries.actor_id  no foreign key: entries outlive the accounts they name. The table is append-only and
--       hash-chained, so a CASCADE or SET NULL could never run, and a RESTRICT would make every account that ever acted
--       impossible to delete. The id stays as a fact of history (the export is verified without the users table).
--   events, jobs  hold no user column (audiences and payloads are data, not references).
--
-- Rows pointing at no user can only come from before these constraints; they are what the rules above would have done
-- to them, so they are applied first.
DELETE FROM platform.notifications n WHERE NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = n.user_id);
DELETE FROM platform.notification_preferences p WHERE NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = p.user_id);
DELETE FROM platform.devices d WHERE NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = d.user_id);
DELETE FROM platform.realtime_connections c WHERE NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = c.user_id);
UPDATE platform.files f SET uploaded_by = NULL
    WHERE uploaded_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = f.uploaded_by);
UPDATE platform.role_grants g SET granted_by = NULL
    WHERE granted_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM platform.users u WHERE u.id = g.granted_by);

ALTER TABLE platform.notifications
    ADD CONSTRAINT fk_notifications_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE;
ALTER TABLE platform.notification_preferences
    ADD CONSTRAINT fk_notification_preferences_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE;
ALTER TABLE platform.devices
    ADD CONSTRAINT fk_devices_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE;
ALTER TABLE platform.realtime_connections
    ADD CONSTRAINT fk_realtime_connections_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE;

-- SET NULL scans the referencing column when a user is deleted: index it.
CREATE INDEX ix_files_uploaded_by ON platform.files (uploaded_by);
ALTER TABLE platform.files
    ADD CONSTRAINT fk_files_users_uploaded_by FOREIGN KEY (uploaded_by) REFERENCES platform.users (id) ON DELETE SET NULL;
CREATE INDEX ix_role_grants_granted_by ON platform.role_grants (granted_by);
ALTER TABLE platform.role_grants
    ADD CONSTRAINT fk_role_grants_users_granted_by FOREIGN KEY (granted_by) REFERENCES platform.users (id) ON DELETE SET NULL;
