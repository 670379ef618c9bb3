-- Keys with a time to live per logical database ({"db0": n}), counted from the dump as it was parsed:
-- a restore checks the target's keys against keys_per_db, allowing these to have expired since.
alter table backups add column expiring_keys_per_db jsonb;
