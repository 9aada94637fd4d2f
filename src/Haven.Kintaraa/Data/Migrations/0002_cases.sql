-- Kintaraa cases: provider profiles, incidents with per-day case numbers, consent per service, referrals (routing
-- with its reasons), case chat with read cursors, evidence with a hash-chained chain of custody, appointments and
-- court dates, typed case notes, and the survivor's safety plan and emergency contacts.
-- Vocabularies are CHECKed here; the C# enums (Data/Vocabulary.cs) use the same snake_case names. What survivors and
-- providers write (descriptions, locations, messages, notes, safety plans, emergency contacts, evidence descriptions)
-- is stored encrypted by the platform's field encryption: those columns are bytea envelopes.

CREATE TABLE kintaraa.providers (
    id                    uuid                     NOT NULL,
    user_id               uuid                     NOT NULL,
    tenant_id             uuid,
    provider_type         varchar(32)              NOT NULL,
    display_name          varchar(200)             NOT NULL,
    organisation          varchar(200)             NOT NULL,
    specialisations       text[]                   NOT NULL,
    services              text[]                   NOT NULL,
    phone                 varchar(32),
    address               varchar(300),
    latitude              double precision,
    longitude             double precision,
    time_zone             varchar(64)              NOT NULL,
    working_hours         jsonb                    NOT NULL,
    is_available          boolean                  NOT NULL,
    on_call               boolean                  NOT NULL,
    capacity              integer                  NOT NULL,
    caseload              integer                  NOT NULL,
    is_verified           boolean                  NOT NULL,
    verified_at           timestamp with time zone,
    verified_by           uuid,
    rating                numeric(3,2),
    rating_count          integer                  NOT NULL,
    response_time_minutes integer,
    response_count        integer                  NOT NULL,
    created_at            timestamp with time zone NOT NULL,
    updated_at            timestamp with time zone NOT NULL,
    version               integer                  NOT NULL,
    CONSTRAINT pk_providers PRIMARY KEY (id),
    CONSTRAINT ck_providers_provider_type CHECK (provider_type IN ('healthcare', 'legal', 'police', 'counseling', 'social', 'gbv_rescue', 'chw')),
    CONSTRAINT ck_providers_capacity CHECK (capacity BETWEEN 0 AND 1000),
    -- Caseload may exceed a capacity the provider lowered later; it is never negative.
    CONSTRAINT ck_providers_caseload CHECK (caseload >= 0),
    CONSTRAINT ck_providers_location CHECK ((latitude IS NULL) = (longitude IS NULL)
        AND (latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180))),
    CONSTRAINT ck_providers_rating CHECK (rating IS NULL OR rating BETWEEN 1 AND 5)
);
CREATE UNIQUE INDEX ix_providers_user_id ON kintaraa.providers (user_id);
CREATE INDEX ix_providers_provider_type_is_verified_is_available ON kintaraa.providers (provider_type, is_verified, is_available);

CREATE TABLE kintaraa.incidents (
    id                 uuid                     NOT NULL,
    case_number        varchar(20)              NOT NULL,
    handle             varchar(16)              NOT NULL,
    survivor_id        uuid,
    is_anonymous       boolean                  NOT NULL,
    receipt_code_hash  bytea,
    source             varchar(16)              NOT NULL,
    type               varchar(16),
    status             varchar(16)              NOT NULL,
    priority           varchar(16)              NOT NULL,
    severity           varchar(16),
    incident_date      date,
    incident_time      time without time zone,
    description        bytea,
    location           bytea,
    location_precision varchar(16)              NOT NULL,
    support_services   text[]                   NOT NULL,
    legal_hold_reason  varchar(500),
    legal_hold_at      timestamp with time zone,
    legal_hold_by      uuid,
    created_at         timestamp with time zone NOT NULL,
    updated_at         timestamp with time zone NOT NULL,
    first_accepted_at  timestamp with time zone,
    first_response_at  timestamp with time zone,
    completed_at       timestamp with time zone,
    closed_at          timestamp with time zone,
    version            integer                  NOT NULL,
    CONSTRAINT pk_incidents PRIMARY KEY (id),
    CONSTRAINT ck_incidents_source CHECK (source IN ('app', 'sos', 'sync', 'portal')),
    CONSTRAINT ck_incidents_type CHECK (type IN ('physical', 'sexual', 'emotional', 'economic', 'online', 'femicide')),
    CONSTRAINT ck_incidents_status CHECK (status IN ('new', 'assigned', 'in_progress', 'completed', 'closed')),
    CONSTRAINT ck_incidents_priority CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    CONSTRAINT ck_incidents_severity CHECK (severity IN ('low', 'medium', 'high')),
    CONSTRAINT ck_incidents_location_precision CHECK (location_precision IN ('exact', 'approximate', 'area', 'none')),
    CONSTRAINT ck_incidents_case_number CHECK (case_number ~ '^KIN-[0-9]{9,}$'),
    -- A case outlives its survivor's account only under a legal hold.
    CONSTRAINT ck_incidents_orphan_only_on_hold CHECK (survivor_id IS NOT NULL OR legal_hold_at IS NOT NULL)
);
-- Case numbers and handles are searched by prefix; pattern ops let LIKE 'KIN-2411%' use the index under any collation.
CREATE UNIQUE INDEX ix_incidents_case_number ON kintaraa.incidents (case_number varchar_pattern_ops);
CREATE UNIQUE INDEX ix_incidents_handle ON kintaraa.incidents (handle varchar_pattern_ops);
CREATE UNIQUE INDEX ix_incidents_receipt_code_hash ON kintaraa.incidents (receipt_code_hash) WHERE receipt_code_hash IS NOT NULL;
CREATE INDEX ix_incidents_survivor_id_created_at ON kintaraa.incidents (survivor_id, created_at);
CREATE INDEX ix_incidents_created_at ON kintaraa.incidents (created_at);
CREATE INDEX ix_incidents_status_created_at ON kintaraa.incidents (status, created_at);
CREATE INDEX ix_incidents_priority_created_at ON kintaraa.incidents (priority, created_at);
CREATE INDEX ix_incidents_type_created_at ON kintaraa.incidents (type, created_at);

-- One row per day; an upsert that increments and returns last_value hands each concurrent report its own number.
CREATE TABLE kintaraa.case_number_counters (
    day        date    NOT NULL,
    last_value integer NOT NULL,
    CONSTRAINT pk_case_number_counters PRIMARY KEY (day)
);

CREATE TABLE kintaraa.consents (
    id               uuid                     NOT NULL,
    incident_id      uuid                     NOT NULL,
    service          varchar(32)              NOT NULL,
    granted          boolean                  NOT NULL,
    method           varchar(16)              NOT NULL,
    recorded_by      uuid,
    recorded_by_role varchar(16)              NOT NULL,
    note             varchar(500),
    recorded_at      timestamp with time zone NOT NULL,
    CONSTRAINT pk_consents PRIMARY KEY (id),
    CONSTRAINT fk_consents_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT ck_consents_service CHECK (service IN ('medical', 'emergency', 'police', 'legal', 'counseling', 'shelter', 'financial', 'community_health')),
    CONSTRAINT ck_consents_method CHECK (method IN ('app', 'verbal', 'written', 'sos')),
    CONSTRAINT ck_consents_recorded_by_role CHECK (recorded_by_role IN ('survivor', 'provider', 'admin', 'system'))
);
CREATE INDEX ix_consents_incident_id_service_recorded_at ON kintaraa.consents (incident_id, service, recorded_at);

CREATE TABLE kintaraa.referrals (
    id                   uuid                     NOT NULL,
    incident_id          uuid                     NOT NULL,
    service              varchar(32)              NOT NULL,
    provider_type        varchar(32)              NOT NULL,
    provider_id          uuid,
    kind                 varchar(16)              NOT NULL,
    status               varchar(16)              NOT NULL,
    attempt              integer                  NOT NULL,
    score                numeric(8,2),
    distance_km          double precision,
    routing              jsonb,
    referred_by          uuid,
    from_provider_id     uuid,
    previous_referral_id uuid,
    note                 varchar(1000),
    decline_code         varchar(32),
    decline_reason       varchar(500),
    revoke_reason        varchar(500),
    created_at           timestamp with time zone NOT NULL,
    offered_at           timestamp with time zone,
    respond_by           timestamp with time zone,
    responded_at         timestamp with time zone,
    completed_at         timestamp with time zone,
    revoked_at           timestamp with time zone,
    queued_at            timestamp with time zone,
    rating               smallint,
    version              integer                  NOT NULL,
    CONSTRAINT pk_referrals PRIMARY KEY (id),
    CONSTRAINT fk_referrals_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT fk_referrals_providers_provider_id FOREIGN KEY (provider_id) REFERENCES kintaraa.providers (id) ON DELETE RESTRICT,
    CONSTRAINT ck_referrals_service CHECK (service IN ('medical', 'emergency', 'police', 'legal', 'counseling', 'shelter', 'financial', 'community_health')),
    CONSTRAINT ck_referrals_provider_type CHECK (provider_type IN ('healthcare', 'legal', 'police', 'counseling', 'social', 'gbv_rescue', 'chw')),
    CONSTRAINT ck_referrals_kind CHECK (kind IN ('routed', 'manual', 'onward', 'transfer', 'sos')),
    CONSTRAINT ck_referrals_status CHECK (status IN ('pending', 'accepted', 'declined', 'done', 'revoked')),
    -- Only a pending referral may wait without a provider (the admin queue).
    CONSTRAINT ck_referrals_provider_unless_queued CHECK (provider_id IS NOT NULL OR status IN ('pending', 'revoked')),
    CONSTRAINT ck_referrals_rating CHECK (rating IS NULL OR rating BETWEEN 1 AND 5)
);
CREATE INDEX ix_referrals_incident_id ON kintaraa.referrals (incident_id);
CREATE INDEX ix_referrals_provider_id_status ON kintaraa.referrals (provider_id, status);
-- At most one live offer per service of a case, whatever races: re-routing and double clicks cannot duplicate it.
CREATE UNIQUE INDEX ix_referrals_incident_id_service_active ON kintaraa.referrals (incident_id, service) WHERE status IN ('pending', 'accepted');
CREATE INDEX ix_referrals_respond_by ON kintaraa.referrals (respond_by) WHERE status = 'pending';

CREATE TABLE kintaraa.evidence (
    id            uuid                     NOT NULL,
    incident_id   uuid                     NOT NULL,
    uploaded_by   uuid                     NOT NULL,
    uploader_role varchar(16)              NOT NULL,
    kind          varchar(16)              NOT NULL,
    file_id       uuid,
    file_name     varchar(255)             NOT NULL,
    content_type  varchar(100)             NOT NULL,
    size_bytes    bigint                   NOT NULL,
    sha256        varchar(64)              NOT NULL,
    description   bytea,
    created_at    timestamp with time zone NOT NULL,
    deleted_at    timestamp with time zone,
    deleted_by    uuid,
    CONSTRAINT pk_evidence PRIMARY KEY (id),
    CONSTRAINT fk_evidence_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT ck_evidence_uploader_role CHECK (uploader_role IN ('survivor', 'provider', 'admin')),
    CONSTRAINT ck_evidence_kind CHECK (kind IN ('photo', 'document', 'audio', 'video'))
);
CREATE INDEX ix_evidence_incident_id ON kintaraa.evidence (incident_id);

CREATE TABLE kintaraa.custody_entries (
    id            uuid                     NOT NULL,
    evidence_id   uuid                     NOT NULL,
    sequence      integer                  NOT NULL,
    action        varchar(16)              NOT NULL,
    actor_id      uuid,
    actor_role    varchar(16)              NOT NULL,
    actor_label   varchar(300)             NOT NULL,
    recipient     varchar(300),
    note          varchar(1000),
    sha256        varchar(64)              NOT NULL,
    occurred_at   timestamp with time zone NOT NULL,
    previous_hash bytea                    NOT NULL,
    entry_hash    bytea                    NOT NULL,
    CONSTRAINT pk_custody_entries PRIMARY KEY (id),
    CONSTRAINT fk_custody_entries_evidence_evidence_id FOREIGN KEY (evidence_id) REFERENCES kintaraa.evidence (id) ON DELETE CASCADE,
    CONSTRAINT ck_custody_entries_action CHECK (action IN ('uploaded', 'viewed', 'downloaded', 'handed_over', 'deleted'))
);
CREATE UNIQUE INDEX ix_custody_entries_evidence_id_sequence ON kintaraa.custody_entries (evidence_id, sequence);

CREATE TABLE kintaraa.messages (
    id                 uuid                     NOT NULL,
    seq                bigint                   GENERATED ALWAYS AS IDENTITY,
    incident_id        uuid                     NOT NULL,
    sender_id          uuid,
    sender_role        varchar(16)              NOT NULL,
    sender_provider_id uuid,
    kind               varchar(16)              NOT NULL,
    body               bytea                    NOT NULL,
    evidence_id        uuid,
    created_at         timestamp with time zone NOT NULL,
    CONSTRAINT pk_messages PRIMARY KEY (id),
    CONSTRAINT fk_messages_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT fk_messages_evidence_evidence_id FOREIGN KEY (evidence_id) REFERENCES kintaraa.evidence (id) ON DELETE SET NULL,
    CONSTRAINT ck_messages_sender_role CHECK (sender_role IN ('survivor', 'provider', 'admin', 'system')),
    CONSTRAINT ck_messages_kind CHECK (kind IN ('text', 'system', 'file')),
    CONSTRAINT ck_messages_system_has_no_sender CHECK ((sender_role = 'system') = (sender_id IS NULL))
);
CREATE INDEX ix_messages_incident_id_seq ON kintaraa.messages (incident_id, seq);
CREATE INDEX ix_messages_evidence_id ON kintaraa.messages (evidence_id);

CREATE TABLE kintaraa.read_cursors (
    incident_id   uuid                     NOT NULL,
    user_id       uuid                     NOT NULL,
    role          varchar(16)              NOT NULL,
    last_read_seq bigint                   NOT NULL,
    read_at       timestamp with time zone NOT NULL,
    CONSTRAINT pk_read_cursors PRIMARY KEY (incident_id, user_id),
    CONSTRAINT fk_read_cursors_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT ck_read_cursors_role CHECK (role IN ('survivor', 'provider', 'admin'))
);
CREATE INDEX ix_read_cursors_user_id ON kintaraa.read_cursors (user_id);

CREATE TABLE kintaraa.appointments (
    id                    uuid                     NOT NULL,
    incident_id           uuid                     NOT NULL,
    provider_id           uuid                     NOT NULL,
    kind                  varchar(16)              NOT NULL,
    title                 varchar(200)             NOT NULL,
    starts_at             timestamp with time zone NOT NULL,
    ends_at               timestamp with time zone,
    location              varchar(300),
    status                varchar(16)              NOT NULL,
    last_reminder_minutes integer,
    created_by            uuid                     NOT NULL,
    created_at            timestamp with time zone NOT NULL,
    updated_at            timestamp with time zone NOT NULL,
    version               integer                  NOT NULL,
    CONSTRAINT pk_appointments PRIMARY KEY (id),
    CONSTRAINT fk_appointments_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT fk_appointments_providers_provider_id FOREIGN KEY (provider_id) REFERENCES kintaraa.providers (id) ON DELETE RESTRICT,
    CONSTRAINT ck_appointments_kind CHECK (kind IN ('appointment', 'session', 'court_date')),
    CONSTRAINT ck_appointments_status CHECK (status IN ('scheduled', 'completed', 'cancelled', 'missed')),
    CONSTRAINT ck_appointments_ends_after_start CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX ix_appointments_incident_id_starts_at ON kintaraa.appointments (incident_id, starts_at);
CREATE INDEX ix_appointments_provider_id ON kintaraa.appointments (provider_id);
CREATE INDEX ix_appointments_starts_at ON kintaraa.appointments (starts_at) WHERE status = 'scheduled';

CREATE TABLE kintaraa.case_notes (
    id                   uuid                     NOT NULL,
    incident_id          uuid                     NOT NULL,
    author_id            uuid                     NOT NULL,
    author_role          varchar(16)              NOT NULL,
    provider_id          uuid,
    author_provider_type varchar(32),
    kind                 varchar(16)              NOT NULL,
    body                 bytea                    NOT NULL,
    shared_with_survivor boolean                  NOT NULL,
    created_at           timestamp with time zone NOT NULL,
    CONSTRAINT pk_case_notes PRIMARY KEY (id),
    CONSTRAINT fk_case_notes_incidents_incident_id FOREIGN KEY (incident_id) REFERENCES kintaraa.incidents (id) ON DELETE CASCADE,
    CONSTRAINT ck_case_notes_author_role CHECK (author_role IN ('provider', 'admin')),
    CONSTRAINT ck_case_notes_kind CHECK (kind IN ('medical', 'session', 'legal', 'investigation', 'social', 'general'))
);
CREATE INDEX ix_case_notes_incident_id_created_at ON kintaraa.case_notes (incident_id, created_at);

CREATE TABLE kintaraa.safety_plans (
    user_id    uuid                     NOT NULL,
    content    bytea                    NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    version    integer                  NOT NULL,
    CONSTRAINT pk_safety_plans PRIMARY KEY (user_id)
);

CREATE TABLE kintaraa.emergency_contacts (
    id            uuid                     NOT NULL,
    user_id       uuid                     NOT NULL,
    name          bytea                    NOT NULL,
    phone         bytea                    NOT NULL,
    relationship  varchar(50),
    notify_on_sos boolean                  NOT NULL,
    created_at    timestamp with time zone NOT NULL,
    updated_at    timestamp with time zone NOT NULL,
    version       integer                  NOT NULL,
    CONSTRAINT pk_emergency_contacts PRIMARY KEY (id)
);
CREATE INDEX ix_emergency_contacts_user_id ON kintaraa.emergency_contacts (user_id);
