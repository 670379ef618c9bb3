-- Periodic backups in a cluster of instances.

-- The instance that launched a backup: when its cluster heartbeat stops, the backups it left
-- scheduled or running are known to be interrupted (retention/RecoverInterruptedBackupsTask).
alter table backups add column instance_id text;

create index backups_in_flight_instance on backups (instance_id) where status in ('scheduled', 'running');

-- Periodic backups that did not run, and why: one was already running, or no instance was up at the
-- time. Kept apart from backups, whose rows are backups that were attempted; shown with the schedule.
create table backup_skips (
    id            bigserial primary key,
    database_id   text not null references databases (id) on delete cascade,
    scheduled_for timestamptz not null,
    recorded_at   timestamptz not null,
    reason        text not null
);

create index backup_skips_database on backup_skips (database_id, scheduled_for desc);
