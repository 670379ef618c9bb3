-- A periodic backup that failed (storage down, its instance killed) is run again while its schedule's misfire
-- grace lasts. The failed row records that it was taken up (retried_at: a compare-and-set, so that two
-- instances never both run it again); the new row names the one it retries and counts the attempts.
alter table backups add column retry_of text;
alter table backups add column attempt integer not null default 1;
alter table backups add column retried_at timestamptz;

-- what the recovery reads each round: the failed periodic backups not yet taken up, of the last grace
create index backups_periodic_failed on backups (created_at)
    where method = 'periodic' and status = 'error' and retried_at is null;
