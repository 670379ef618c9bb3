-- A point-in-time archiver's base (method archive) comes whenever the node answers with a full
-- synchronisation: it no longer takes the database's one backup in flight, so that a user's backup, the
-- final backup of a deletion or a nightly one never waits for it, nor it for them. One base at a time still.
drop index backups_one_in_flight;
create unique index backups_one_in_flight on backups (database_id)
    where status in ('scheduled', 'running') and method <> 'archive';
create unique index backups_one_archive_base_in_flight on backups (database_id)
    where status in ('scheduled', 'running') and method = 'archive';
