-- In-app notifications (the list with unread counts), push devices and per-category push preferences.
-- user_id columns hold platform user ids (uuid).
CREATE TABLE platform.notifications (
    id         uuid          NOT NULL,
    user_id    uuid          NOT NULL,
    category   varchar(64)   NOT NULL,
    title      varchar(200)  NOT NULL,
    body       varchar(1000) NULL,
    link       varchar(500)  NULL,
    created_at timestamptz   NOT NULL,
    read_at    timestamptz   NULL,
    CONSTRAINT pk_notifications PRIMARY KEY (id)
);
CREATE INDEX ix_notifications_user_id_created_at ON platform.notifications (user_id, created_at);
CREATE INDEX ix_notifications_unread ON platform.notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE platform.devices (
    id           uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    platform     varchar(16) NOT NULL,
    token        varchar(512) NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    CONSTRAINT pk_devices PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_devices_token ON platform.devices (token);
CREATE INDEX ix_devices_user_id ON platform.devices (user_id);

CREATE TABLE platform.notification_preferences (
    user_id      uuid        NOT NULL,
    category     varchar(64) NOT NULL,
    push_enabled boolean     NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT pk_notification_preferences PRIMARY KEY (user_id, category)
);
