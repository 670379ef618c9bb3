-- Retention deletes a backup in three steps that a crash cannot confuse: the row is marked (and
-- disappears from the API), the object is deleted, then the row. The next run finishes whatever a
-- crash left marked. A column rather than a status: a backup being deleted is still done or error.
alter table backups add column deleting_at timestamptz;

create index backups_deleting on backups (deleting_at) where deleting_at is not null;
