-- Background jobs: rows claimed with FOR UPDATE SKIP LOCKED, run at least once, retried with backoff, and kept as
-- 'dead' (with the last error) after max_attempts so an operator can see and requeue them. Finished jobs are deleted.
CREATE TABLE platform.jobs (
    id           bigint        GENERATED ALWAYS AS IDENTITY,
    kind         varchar(100)  NOT NULL,
    payload      jsonb         NOT NULL,
    state        varchar(16)   NOT NULL,
    attempts     integer       NOT NULL,
    max_attempts integer       NOT NULL,
    run_at       timestamptz   NOT NULL,
    locked_by    uuid          NULL,
    locked_until timestamptz   NULL,
    dedupe_key   varchar(200)  NULL,
    last_error   varchar(2000) NULL,
    created_at   timestamptz   NOT NULL,
    updated_at   timestamptz   NOT NULL,
    CONSTRAINT pk_jobs PRIMARY KEY (id),
    CONSTRAINT ck_jobs_state CHECK (state IN ('pending', 'running', 'dead'))
);
CREATE INDEX ix_jobs_pending ON platform.jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX ix_jobs_running ON platform.jobs (locked_until) WHERE state = 'running';
CREATE INDEX ix_jobs_dead ON platform.jobs (updated_at) WHERE state = 'dead';
-- At most one live (pending or running) job per dedupe key: enqueueing the same work twice is a no-op.
CREATE UNIQUE INDEX ix_jobs_dedupe_key ON platform.jobs (dedupe_key) WHERE dedupe_key IS NOT NULL AND state <> 'dead';

-- Periodic jobs: the instance that moves next_run_at forward (a conditional UPDATE, serialised by the row lock)
-- enqueues the occurrence, so each occurrence runs once per cluster however many instances are up.
CREATE TABLE platform.periodic_jobs (
    name             varchar(100) NOT NULL,
    next_run_at      timestamptz  NOT NULL,
    last_enqueued_at timestamptz  NULL,
    CONSTRAINT pk_periodic_jobs PRIMARY KEY (name)
);
