-- TOTP secrets move from identity's own AES-GCM format (key ring "mfa-secrets", key id in a column) to field
-- encryption (ring "fields", key id inside the value, bound to platform.mfa_authenticators.secret): one implementation
-- of sealing a value, and `fields rotate-keys` now rotates these secrets too.
--
-- SQL cannot re-seal the old values (the keys live in the application). Haven has not been released, so only
-- development databases hold any: their authenticators are removed and two-step verification turns off for their
-- users. Staff roles require it, so staff are restricted to enrolling again at their next sign-in; demo seeding puts
-- the published demo secret back.
DELETE FROM platform.mfa_recovery_codes;
DELETE FROM platform.mfa_authenticators;
UPDATE platform.users SET two_factor_enabled = false WHERE two_factor_enabled;
ALTER TABLE platform.mfa_authenticators
    DROP COLUMN secret_ciphertext,
    DROP COLUMN key_id,
    ADD COLUMN secret bytea NOT NULL;
