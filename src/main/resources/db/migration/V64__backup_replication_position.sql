-- Where in the node's replication history a backup's dump stands: the replication id and offset its
-- +FULLRESYNC announced (the dump is the dataset at exactly that offset). Point-in-time recovery
-- continues the command stream from here. Null for dumps taken otherwise (BGSAVE, SYNC, imports).
alter table backups
    add column replication_id text,
    add column replication_offset bigint,
    add constraint backups_replication_position check ((replication_id is null) = (replication_offset is null));
