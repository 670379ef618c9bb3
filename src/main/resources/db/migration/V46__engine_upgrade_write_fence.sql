-- While a business upgrade fails over, the primary refuses writes without a replica (min-replicas-to-write 1),
-- and the failover writes that into its configuration file. The value it had before is kept here from just
-- before the fence goes up until it is lifted: when the instance running the upgrade stops in between, the
-- recovery puts it back on the nodes. Null when no fence is up.
alter table engine_upgrades add column write_fence text;
