-- Plans turn point-in-time recovery on or off by default (plans.yml: pitr), at provisioning and at a plan
-- change, unless the database's owner or an operator chose themselves (PUT /databases/{db}/pitr): then their
-- choice stays whatever the plan. Every row before this one came from that PUT.
alter table pitr_archivers add column set_explicitly boolean not null default false;
update pitr_archivers set set_explicitly = true;
