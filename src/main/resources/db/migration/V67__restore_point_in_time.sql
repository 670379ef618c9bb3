-- A restore to a point in time: the time asked for. Its backup_id is the base backup it starts from, whose
-- dump is loaded before the archived commands up to that time are replayed; null for a restore of a backup.
alter table restores add column point_in_time timestamptz;
