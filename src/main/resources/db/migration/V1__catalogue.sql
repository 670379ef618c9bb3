-- The catalogue: what Coffer knows of the databases it serves and of their backups.

create table databases (
    id                text primary key,                 -- like my-app-3030
    app               text not null,
    plan              text,                             -- null for a registered database
    kind              text not null check (kind in ('registered', 'provisioned')),
    status            text not null,
    acquisition_mode  text not null default 'stream' check (acquisition_mode in ('stream', 'file')),
    sentinel_master   text,
    schedule_enabled  boolean not null default true,
    schedule_hour_utc int check (schedule_hour_utc between 0 and 23),
    created_at        timestamptz not null default now(),
    deleted_at        timestamptz
);

-- An app has at most one live database; the CLI finds it by app name.
create unique index databases_live_app on databases (app) where deleted_at is null;

create table nodes (
    id          bigserial primary key,
    database_id text not null references databases (id) on delete cascade,
    role        text not null check (role in ('primary', 'replica', 'sentinel')),
    host        text not null,
    port        int  not null check (port between 1 and 65535),
    driver_data jsonb
);

create index nodes_database on nodes (database_id);

-- Secrets sealed with a key of the keyring: "<key-id>:<ciphertext>".
create table credentials (
    database_id text not null references databases (id) on delete cascade,
    name        text not null,
    sealed      text not null,
    primary key (database_id, name)
);

-- Only the SHA-256 of a token is kept: a token is shown once, when it is made.
create table tokens (
    token_sha256 text primary key,
    database_id  text not null references databases (id) on delete cascade,
    created_at   timestamptz not null default now()
);

create table backups (
    id               text primary key,                  -- 24 hex digits
    database_id      text not null references databases (id),
    created_at       timestamptz not null,
    name             text not null,                     -- the download's file name
    status           text not null check (status in ('scheduled', 'running', 'done', 'error')),
    method           text not null check (method in ('periodic', 'manual', 'import')),
    node_role        text,
    node_host        text,
    node_port        int,
    node_reason      text,
    object_key       text not null,
    archive_size     bigint,                            -- the plain .tar.gz
    archive_sha256   text,
    stored_size      bigint,                            -- the encrypted object
    stored_sha256    text,
    key_id           text,
    redis_version    text,
    rdb_version      int,
    rdb_size         bigint,
    keys_per_db      jsonb,
    bytes_processed  bigint not null default 0,
    job_execution_id bigint,
    started_at       timestamptz,
    finished_at      timestamptz,
    error            text
);

create index backups_database_created on backups (database_id, created_at desc);

-- At most one backup of a database in flight, whichever instance of the cluster started it.
create unique index backups_one_in_flight on backups (database_id) where status in ('scheduled', 'running');

create table restores (
    id               text primary key,
    database_id      text not null references databases (id),
    backup_id        text not null references backups (id),
    target           text not null check (target in ('in_place', 'new_database')),
    target_database  text references databases (id),
    status           text not null check (status in ('scheduled', 'running', 'done', 'error')),
    created_at       timestamptz not null,
    started_at       timestamptz,
    finished_at      timestamptz,
    checks           jsonb,
    error            text
);

create unique index restores_one_in_flight on restores (database_id) where status in ('scheduled', 'running');
