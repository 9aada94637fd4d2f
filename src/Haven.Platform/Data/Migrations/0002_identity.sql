-- Identity and access: users (ASP.NET Core Identity columns + Haven's), tenant-scoped role grants, sessions with
-- rotating refresh tokens, login events, TOTP authenticators and recovery codes, anonymous device credentials,
-- emailed single-use tokens. Secrets are stored only as hashes or ciphertext.
CREATE TABLE platform.users (
    id                     uuid                     NOT NULL,
    display_name           varchar(200),
    is_anonymous           boolean                  NOT NULL,
    is_active              boolean                  NOT NULL,
    lockout_count          integer                  NOT NULL,
    authz_version          integer                  NOT NULL,
    created_at             timestamp with time zone NOT NULL,
    updated_at             timestamp with time zone NOT NULL,
    last_login_at          timestamp with time zone,
    user_name              varchar(256),
    normalized_user_name   varchar(256),
    email                  varchar(256),
    normalized_email       varchar(256),
    email_confirmed        boolean                  NOT NULL,
    password_hash          text,
    security_stamp         text,
    concurrency_stamp      text,
    phone_number           text,
    phone_number_confirmed boolean                  NOT NULL,
    two_factor_enabled     boolean                  NOT NULL,
    lockout_end            timestamp with time zone,
    lockout_enabled        boolean                  NOT NULL,
    access_failed_count    integer                  NOT NULL,
    CONSTRAINT pk_users PRIMARY KEY (id),
    -- A named account has an email; an anonymous one has none.
    CONSTRAINT ck_users_email_unless_anonymous CHECK (is_anonymous OR email IS NOT NULL)
);
CREATE UNIQUE INDEX ix_users_normalized_email ON platform.users (normalized_email);
CREATE UNIQUE INDEX ix_users_normalized_user_name ON platform.users (normalized_user_name);

CREATE TABLE platform.role_grants (
    id            uuid                     NOT NULL,
    user_id       uuid                     NOT NULL,
    role          varchar(64)              NOT NULL,
    tenant_id     uuid,
    provider_type varchar(32),
    granted_at    timestamp with time zone NOT NULL,
    granted_by    uuid,
    CONSTRAINT pk_role_grants PRIMARY KEY (id),
    CONSTRAINT fk_role_grants_tenants_tenant_id FOREIGN KEY (tenant_id) REFERENCES platform.tenants (id) ON DELETE RESTRICT,
    CONSTRAINT fk_role_grants_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE,
    CONSTRAINT ck_role_grants_provider_type CHECK (
        (role = 'kintaraa.provider' AND provider_type IN ('healthcare', 'legal', 'police', 'counseling', 'social', 'gbv_rescue', 'chw'))
        OR (role <> 'kintaraa.provider' AND provider_type IS NULL))
);
CREATE INDEX ix_role_grants_tenant_id_role ON platform.role_grants (tenant_id, role);
CREATE UNIQUE INDEX ix_role_grants_user_id_role_tenant_id ON platform.role_grants (user_id, role, tenant_id) NULLS NOT DISTINCT;

CREATE TABLE platform.sessions (
    id             uuid                     NOT NULL,
    user_id        uuid                     NOT NULL,
    method         varchar(32)              NOT NULL,
    mfa_verified   boolean                  NOT NULL,
    created_at     timestamp with time zone NOT NULL,
    last_seen_at   timestamp with time zone NOT NULL,
    expires_at     timestamp with time zone NOT NULL,
    revoked_at     timestamp with time zone,
    revoked_reason varchar(32),
    client_address varchar(64),
    user_agent     varchar(512),
    device         varchar(200),
    CONSTRAINT pk_sessions PRIMARY KEY (id),
    CONSTRAINT fk_sessions_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);
CREATE INDEX ix_sessions_user_id ON platform.sessions (user_id);

CREATE TABLE platform.refresh_tokens (
    id         uuid                     NOT NULL,
    session_id uuid                     NOT NULL,
    token_hash bytea                    NOT NULL,
    issued_at  timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at    timestamp with time zone,
    CONSTRAINT pk_refresh_tokens PRIMARY KEY (id),
    CONSTRAINT fk_refresh_tokens_sessions_session_id FOREIGN KEY (session_id) REFERENCES platform.sessions (id) ON DELETE CASCADE
);
CREATE INDEX ix_refresh_tokens_session_id ON platform.refresh_tokens (session_id);
CREATE UNIQUE INDEX ix_refresh_tokens_token_hash ON platform.refresh_tokens (token_hash);

CREATE TABLE platform.login_events (
    id               uuid                     NOT NULL,
    user_id          uuid,
    session_id       uuid,
    occurred_at      timestamp with time zone NOT NULL,
    succeeded        boolean                  NOT NULL,
    method           varchar(16)              NOT NULL,
    failure_reason   varchar(32),
    client_address   varchar(64),
    user_agent       varchar(512),
    device           varchar(16)              NOT NULL,
    operating_system varchar(32)              NOT NULL,
    browser          varchar(32)              NOT NULL,
    CONSTRAINT pk_login_events PRIMARY KEY (id),
    CONSTRAINT fk_login_events_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);
CREATE INDEX ix_login_events_client_address_occurred_at ON platform.login_events (client_address, occurred_at);
CREATE INDEX ix_login_events_user_id_occurred_at ON platform.login_events (user_id, occurred_at);

CREATE TABLE platform.mfa_authenticators (
    user_id           uuid                     NOT NULL,
    secret_ciphertext bytea                    NOT NULL,
    key_id            varchar(64)              NOT NULL,
    created_at        timestamp with time zone NOT NULL,
    enabled_at        timestamp with time zone,
    last_used_step    bigint                   NOT NULL,
    CONSTRAINT pk_mfa_authenticators PRIMARY KEY (user_id),
    CONSTRAINT fk_mfa_authenticators_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);

CREATE TABLE platform.mfa_recovery_codes (
    id         uuid                     NOT NULL,
    user_id    uuid                     NOT NULL,
    code_hash  bytea                    NOT NULL,
    created_at timestamp with time zone NOT NULL,
    used_at    timestamp with time zone,
    CONSTRAINT pk_mfa_recovery_codes PRIMARY KEY (id),
    CONSTRAINT fk_mfa_recovery_codes_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);
CREATE INDEX ix_mfa_recovery_codes_user_id ON platform.mfa_recovery_codes (user_id);

CREATE TABLE platform.device_credentials (
    id           uuid                     NOT NULL,
    user_id      uuid                     NOT NULL,
    device_id    varchar(128)             NOT NULL,
    secret_hash  bytea                    NOT NULL,
    created_at   timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    CONSTRAINT pk_device_credentials PRIMARY KEY (id),
    CONSTRAINT fk_device_credentials_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_device_credentials_device_id ON platform.device_credentials (device_id);
CREATE INDEX ix_device_credentials_user_id ON platform.device_credentials (user_id);

CREATE TABLE platform.account_tokens (
    id         uuid                     NOT NULL,
    user_id    uuid                     NOT NULL,
    purpose    varchar(32)              NOT NULL,
    token_hash bytea                    NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at    timestamp with time zone,
    CONSTRAINT pk_account_tokens PRIMARY KEY (id),
    CONSTRAINT fk_account_tokens_users_user_id FOREIGN KEY (user_id) REFERENCES platform.users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_account_tokens_token_hash ON platform.account_tokens (token_hash);
CREATE INDEX ix_account_tokens_user_id ON platform.account_tokens (user_id);
