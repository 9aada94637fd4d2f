-- Tamper-evident audit trail: an append-only, hash-chained table (see docs/audit-export.md for the hash).
CREATE TABLE platform.audit_entries (
    seq            bigint        NOT NULL,
    occurred_at    timestamptz   NOT NULL,
    actor_type     varchar(16)   NOT NULL,
    actor_id       uuid          NULL,
    actor_name     varchar(100)  NULL,
    session_id     uuid          NULL,
    actor_roles    text[]        NOT NULL,
    tenant_id      uuid          NULL,
    client_address varchar(64)   NULL,
    user_agent     varchar(512)  NULL,
    request_id     varchar(100)  NULL,
    action         varchar(100)  NOT NULL,
    resource_type  varchar(100)  NOT NULL,
    resource_id    varchar(200)  NULL,
    note           varchar(2000) NULL,
    changes        jsonb         NOT NULL,
    prev_hash      bytea         NOT NULL,
    hash           bytea         NOT NULL,
    CONSTRAINT pk_audit_entries PRIMARY KEY (seq)
);
CREATE INDEX ix_audit_entries_tenant_id_seq ON platform.audit_entries (tenant_id, seq);
CREATE INDEX ix_audit_entries_resource_type_resource_id ON platform.audit_entries (resource_type, resource_id);
CREATE INDEX ix_audit_entries_actor_id ON platform.audit_entries (actor_id);
CREATE INDEX ix_audit_entries_occurred_at ON platform.audit_entries (occurred_at);

-- The chain head: one row naming the newest entry. Appenders lock it (SELECT ... FOR UPDATE) so appends are serialized.
CREATE TABLE platform.audit_chain_head (
    id        smallint NOT NULL,
    last_seq  bigint   NOT NULL,
    last_hash bytea    NOT NULL,
    CONSTRAINT pk_audit_chain_head PRIMARY KEY (id),
    CONSTRAINT ck_audit_chain_head_single_row CHECK (id = 1)
);
INSERT INTO platform.audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Entries are never changed or removed, not even by the table's owner through ordinary SQL.
CREATE FUNCTION platform.audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON platform.audit_entries
    FOR EACH ROW EXECUTE FUNCTION platform.audit_refuse_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON platform.audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION platform.audit_refuse_change();

-- Every insert must extend the head exactly: the next number after the head, linked to the head's hash. A writer that
-- skipped the lock, reused a number or linked to an older entry (a fork) fails here, whatever the application does.
CREATE FUNCTION platform.audit_extend_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE platform.audit_chain_head
       SET last_seq = NEW.seq, last_hash = NEW.hash
     WHERE id = 1 AND last_seq = NEW.seq - 1 AND last_hash = NEW.prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit entry % does not extend the chain head', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_entries_extend_chain BEFORE INSERT ON platform.audit_entries
    FOR EACH ROW EXECUTE FUNCTION platform.audit_extend_chain();

-- The head moves only through the trigger above (trigger depth 2), never by a direct UPDATE, DELETE or TRUNCATE.
CREATE FUNCTION platform.audit_guard_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND pg_trigger_depth() >= 2 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head moves only by appending entries: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON platform.audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION platform.audit_guard_head();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON platform.audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION platform.audit_guard_head();
