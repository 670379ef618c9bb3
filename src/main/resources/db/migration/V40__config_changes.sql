-- Redis setting changes asked of a database (PATCH /api/v1/databases/{db}/config): what was asked, by whom
-- (the operator, or the database's own token), when, and how the configJob that applied it ended.

create table config_changes (
    id                bigserial primary key,
    database_id       text not null references databases (id),
    settings          jsonb not null,                   -- like {"aof": true, "timeout": 300}
    requested_by      text not null check (requested_by in ('operator', 'database_token')),
    requested_at      timestamptz not null,
    job_execution_id  bigint,
    status            text not null check (status in ('scheduled', 'running', 'done', 'error')),
    error             text
);

create index config_changes_database on config_changes (database_id, requested_at desc);
