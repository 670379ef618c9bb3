-- What a restore run needs beyond V1's table: the job that ran it, and, when it failed, the state it
-- left the target in (said apart from the error, because that is what an operator acts on).

alter table restores add column job_execution_id bigint;
alter table restores add column target_state text;

-- A database is the target of at most one restore at a time, whichever database the backup came from.
create unique index restores_one_in_flight_per_target on restores (target_database)
    where status in ('scheduled', 'running');
