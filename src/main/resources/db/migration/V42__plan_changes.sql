-- Plan changes asked of a provisioned database (POST /api/v1/databases/{db}/plan): from which plan to which,
-- by whom (the operator, or the database's own token), when, on which instance of the cluster, and how the
-- planChangeJob that made it ended.

create table plan_changes (
    id                bigserial primary key,
    database_id       text not null references databases (id),
    from_plan         text not null,
    to_plan           text not null,
    requested_by      text not null check (requested_by in ('operator', 'database_token')),
    requested_at      timestamptz not null,
    instance_id       text not null,                    -- the instance running its job: recovery asks whether it is alive
    job_execution_id  bigint,
    status            text not null check (status in ('scheduled', 'running', 'done', 'error')),
    finished_at       timestamptz,
    error             text
);

create index plan_changes_database on plan_changes (database_id, requested_at desc);

-- One plan change in flight per database, across every instance of the cluster.
create unique index plan_changes_one_in_flight on plan_changes (database_id) where status in ('scheduled', 'running');
