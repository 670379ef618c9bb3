-- Where a database's archived stream has a hole: from the last command archived before it to the new
-- base backup taken after it (method 'archive': the node no longer held the offset, or a new history
-- began). Point-in-time recovery refuses times inside a gap; it never hides one.
create table pitr_gaps (
    id              bigserial primary key,
    database_id     text not null references databases (id) on delete cascade,
    from_at         timestamptz not null,
    to_at           timestamptz not null,
    reason          text not null,
    base_backup_id  text,
    created_at      timestamptz not null default now(),
    check (to_at >= from_at)
);

create index pitr_gaps_database on pitr_gaps (database_id, from_at);

alter table backups drop constraint backups_method_check;
alter table backups add constraint backups_method_check
    check (method in ('periodic', 'manual', 'import', 'final', 'archive'));
