-- When verifyBackupsJob last read the backup's stored object whole (present and of its size, decrypted,
-- digests matched, archive well-formed, RDB parsed); its finding, if any, is integrity_error.
alter table backups add column verified_at timestamptz;

-- verifyBackupsJob takes the never verified first, then those verified longest ago
create index backups_verified_at on backups (verified_at nulls first, created_at) where status = 'done' and deleting_at is null and integrity_error is null;
