-- Platform kernel: tenants. (platform.schema_migrations is created by the migration runner itself.)
CREATE TABLE platform.tenants (
    id         uuid         NOT NULL,
    module     varchar(32)  NOT NULL,
    kind       varchar(32)  NOT NULL,
    name       varchar(200) NOT NULL,
    is_active  boolean      NOT NULL,
    created_at timestamptz  NOT NULL,
    CONSTRAINT pk_tenants PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_tenants_module_name ON platform.tenants (module, name);
