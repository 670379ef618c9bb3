-- What a restore interrupted by a stopped instance needs to be put right by another one: which instance
-- ran it (as backups record it), and the journal of what it changed on the target (the node told to
-- replicate from Coffer, its role before, the sentinels held off with their original settings).
alter table restores add column instance_id text;
alter table restores add column recovery jsonb;
