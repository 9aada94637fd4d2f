-- Encrypted file storage: metadata of completely stored files, and uploads in flight (for the orphan sweeper).
CREATE TABLE platform.files (
    id            uuid         NOT NULL,
    use           varchar(64)  NOT NULL,
    tenant_id     uuid         NULL,
    uploaded_by   uuid         NULL,
    file_name     varchar(200) NOT NULL,
    content_type  varchar(100) NOT NULL,
    length        bigint       NOT NULL,
    sha256        bytea        NOT NULL,
    storage_key   varchar(200) NOT NULL,
    chunk_size    integer      NOT NULL,
    key_id        varchar(100) NOT NULL,
    wrapped_key   bytea        NOT NULL,
    status        varchar(16)  NOT NULL,
    status_reason varchar(500) NULL,
    created_at    timestamptz  NOT NULL,
    CONSTRAINT pk_files PRIMARY KEY (id)
);
CREATE INDEX ix_files_key_id ON platform.files (key_id);
CREATE INDEX ix_files_use_tenant_id ON platform.files (use, tenant_id);

CREATE TABLE platform.file_uploads (
    id                uuid          NOT NULL,
    storage_key       varchar(200)  NOT NULL,
    backend_upload_id varchar(1024) NULL,
    started_at        timestamptz   NOT NULL,
    CONSTRAINT pk_file_uploads PRIMARY KEY (id)
);
CREATE INDEX ix_file_uploads_started_at ON platform.file_uploads (started_at);
