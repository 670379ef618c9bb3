-- A restore of selected keys: the glob patterns it takes (null: the whole backup), and whether it only counts
-- what it would write (a dry run writes nothing)
alter table restores add column key_patterns jsonb;
alter table restores add column dry_run boolean not null default false;
