-- Offline sync: the answer to every operation a client's batch applied, keyed by the client's operation id, so a
-- batch sent again (or cut off half-way and resent) answers with the original results and applies nothing twice.
-- Results hold ids, case numbers and versions only, never what the survivor wrote. json, not jsonb: a replay answers
-- with the very text of the first answer.

CREATE TABLE kintaraa.sync_operations (
    user_id    uuid                     NOT NULL,
    op_id      uuid                     NOT NULL,
    type       varchar(32)              NOT NULL,
    result     json                     NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_sync_operations PRIMARY KEY (user_id, op_id),
    CONSTRAINT ck_sync_operations_type CHECK (type IN ('create_report', 'send_message', 'update_safety_plan', 'mark_read'))
);
