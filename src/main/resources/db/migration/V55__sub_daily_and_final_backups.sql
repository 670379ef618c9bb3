-- Backups more often than nightly: every N hours from the chosen hour (24: once a day, as before).
alter table databases add column schedule_every_hours int not null default 24
    check (schedule_every_hours in (1, 2, 3, 4, 6, 8, 12, 24));

-- The backup taken just before a database is deleted.
alter table backups drop constraint backups_method_check;
alter table backups add constraint backups_method_check check (method in ('periodic', 'manual', 'import', 'final'));
