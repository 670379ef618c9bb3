-- A stored object that failed authentication when it was read back (tampered, truncated, or
-- encrypted with a key the keyring no longer holds): the backup stays listed, flagged.

alter table backups add column integrity_error text;
alter table backups add column integrity_checked_at timestamptz;
