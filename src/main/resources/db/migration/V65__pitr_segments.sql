-- Point-in-time recovery: each database's archiver and the segments of the replication stream it stored.

-- One row per database that has point-in-time recovery on (or had). The archiver that holds the lease
-- (owner, lease_until, renewed while it runs) is the only one of the cluster reading the database's
-- stream; another instance takes it over once the lease has run out (coffer.housekeeping.instance-timeout).
create table pitr_archivers (
    database_id      text primary key references databases (id) on delete cascade,
    enabled          boolean not null,
    owner            text,                 -- instance id holding the lease
    lease_until      timestamptz,
    last_durable_at  timestamptz,          -- when the last command received was made durable on local disk
    last_error       text,                 -- why the archiver last stopped, null while it runs well
    updated_at       timestamptz not null default now()
);

-- A sealed piece of one database's replication stream: the bytes from start_offset (the first byte's
-- offset) to end_offset (the last byte's) of the history named by replid, every command whole, with the
-- arrival time of its first and last command. state 'uploaded' once the object is stored and checked.
create table pitr_segments (
    id             bigserial primary key,
    database_id    text not null references databases (id) on delete cascade,
    replid         text not null,
    start_offset   bigint not null check (start_offset > 0),
    end_offset     bigint not null,
    first_arrival  timestamptz not null,
    last_arrival   timestamptz not null,
    commands       int not null check (commands > 0),
    object_key     text not null unique,
    stored_size    bigint not null,
    stored_sha256  text not null,
    key_id         text not null,
    state          text not null check (state in ('uploaded')),
    created_at     timestamptz not null default now(),
    check (end_offset >= start_offset),
    check (last_arrival >= first_arrival)
);

create index pitr_segments_database on pitr_segments (database_id, last_arrival);
