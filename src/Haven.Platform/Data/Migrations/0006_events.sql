-- Transactional outbox and realtime presence.
--
-- A module inserts events inside its own transaction (position NULL). The sequencer gives committed events their
-- position later, one batch per transaction, while holding the row lock on event_sequence: positions therefore
-- become visible in increasing order and without holes, so a reader asking for "position > cursor" never skips an
-- event whose writer committed late. Payloads are encrypted (key ring "events"; key_id names the version).
CREATE TABLE platform.events (
    id           bigint       GENERATED ALWAYS AS IDENTITY,
    position     bigint       NULL,
    type         varchar(100) NOT NULL,
    audience     text[]       NOT NULL,
    payload      bytea        NOT NULL,
    key_id       varchar(64)  NOT NULL,
    occurred_at  timestamptz  NOT NULL,
    sequenced_at timestamptz  NULL,
    CONSTRAINT pk_events PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_events_position ON platform.events (position);
CREATE INDEX ix_events_unsequenced ON platform.events (id) WHERE position IS NULL;
CREATE INDEX ix_events_audience ON platform.events USING gin (audience);

-- One row: the last position handed out, and the highest position retention has deleted (a cursor below it can
-- no longer be caught up from events and must resynchronise).
CREATE TABLE platform.event_sequence (
    id             integer NOT NULL,
    last_position  bigint  NOT NULL,
    pruned_through bigint  NOT NULL,
    CONSTRAINT pk_event_sequence PRIMARY KEY (id),
    CONSTRAINT ck_event_sequence_single_row CHECK (id = 1)
);
INSERT INTO platform.event_sequence (id, last_position, pruned_through) VALUES (1, 0, 0);

-- Presence across instances: each app instance heartbeats its row; connections and group memberships hang off it,
-- so an instance that dies without cleaning up disappears from presence once its heartbeat is stale (and its rows
-- are swept).
CREATE TABLE platform.realtime_instances (
    id           uuid        NOT NULL,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    CONSTRAINT pk_realtime_instances PRIMARY KEY (id)
);

CREATE TABLE platform.realtime_connections (
    id           varchar(64) NOT NULL,
    instance_id  uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    connected_at timestamptz NOT NULL,
    CONSTRAINT pk_realtime_connections PRIMARY KEY (id),
    CONSTRAINT fk_realtime_connections_realtime_instances_instance_id FOREIGN KEY (instance_id)
        REFERENCES platform.realtime_instances (id) ON DELETE CASCADE
);
CREATE INDEX ix_realtime_connections_instance_id ON platform.realtime_connections (instance_id);
CREATE INDEX ix_realtime_connections_user_id ON platform.realtime_connections (user_id);

CREATE TABLE platform.realtime_memberships (
    connection_id varchar(64)  NOT NULL,
    group_name    varchar(200) NOT NULL,
    user_id       uuid         NOT NULL,
    joined_at     timestamptz  NOT NULL,
    CONSTRAINT pk_realtime_memberships PRIMARY KEY (connection_id, group_name),
    CONSTRAINT fk_realtime_memberships_realtime_connections_connection_id FOREIGN KEY (connection_id)
        REFERENCES platform.realtime_connections (id) ON DELETE CASCADE
);
CREATE INDEX ix_realtime_memberships_group_name_user_id ON platform.realtime_memberships (group_name, user_id);
