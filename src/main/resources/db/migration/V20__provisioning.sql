-- Provisioned databases: why one is in "error", and HAProxy entry points as nodes of their own.
-- A node's driver_data (jsonb, from V1) holds what its driver needs to find it again:
-- {"driver": "process", "name": "redis-1", "kind": "redis", "dir": "...", "pid": 1234}.

alter table databases add column status_reason text;

alter table nodes drop constraint nodes_role_check;
alter table nodes add constraint nodes_role_check check (role in ('primary', 'replica', 'sentinel', 'haproxy'));

-- Ports the process driver hands out are looked up among the live nodes.
create index nodes_host_port on nodes (host, port);
