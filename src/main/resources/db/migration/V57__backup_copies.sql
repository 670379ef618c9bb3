-- The copy of each done backup in the second store (coffer.copy): pending until copied, done once the copy
-- store holds the very bytes of the stored object (size and SHA-256 compared), error with why (retried).
alter table backups add column copy_state text check (copy_state in ('pending', 'done', 'error'));
alter table backups add column copy_error text;
alter table backups add column copied_at timestamptz;
-- the instance copying it and since when: a claim is taken only from nobody or from a stopped instance
alter table backups add column copy_claimed_by text;
alter table backups add column copy_claimed_at timestamptz;
-- why the primary object could not be read when a download, restore, drill or verification used the copy
alter table backups add column primary_error text;

-- every backup done before there was a copy store is copied once one is configured
update backups set copy_state = 'pending' where status = 'done';

-- what copyBackupsJob catches up, oldest first
create index backups_copy_due on backups (created_at) where status = 'done' and deleting_at is null and copy_state in ('pending', 'error');
