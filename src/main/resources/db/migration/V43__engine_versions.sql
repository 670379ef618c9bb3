-- Engine versions (POST /api/v1/databases/{db}/upgrade). A provisioned database records the version its
-- data nodes run; a node records its own only while an upgrade moves it ahead of its database. Null on a
-- database made before versions were recorded: it runs the installed redis-server. Registered databases
-- and those of the static driver have none: Coffer does not choose their engine.

alter table databases add column engine_version text;

alter table nodes add column engine_version text;

-- each upgrade asked: from and to which version, by whom, when, and how the engineUpgradeJob ended
create table engine_upgrades (
    id                bigserial primary key,
    database_id       text not null references databases (id),
    from_version      text,
    to_version        text not null,
    requested_by      text not null check (requested_by in ('operator', 'database_token')),
    requested_at      timestamptz not null,
    instance_id       text not null,                    -- the Coffer instance that runs it
    job_execution_id  bigint,
    status            text not null check (status in ('scheduled', 'running', 'done', 'error')),
    error             text,
    finished_at       timestamptz
);

create index engine_upgrades_database on engine_upgrades (database_id, requested_at desc);

-- one upgrade at a time per database, across instances
create unique index engine_upgrades_one_at_a_time on engine_upgrades (database_id)
    where status in ('scheduled', 'running');
