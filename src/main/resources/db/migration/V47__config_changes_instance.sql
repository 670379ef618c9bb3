-- The Coffer instance that runs a configuration change: one left running by an instance that stopped
-- would otherwise hold plan changes and engine upgrades of its database back for ever.
alter table config_changes add column instance_id text;
