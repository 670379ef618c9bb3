-- The catalogue's own state is written, encrypted, into the bucket after every change that matters (see
-- docs/DESIGN.md, "The catalogue's snapshots"). Each row of it that changes leaves a row here, in its
-- own transaction: the writer reads the rows it can see in the same consistent read as the state it
-- writes, and deletes exactly those once the snapshot is stored, so a change committed meanwhile stays
-- pending for the next one. Inserts only, never the same row: no transaction waits for another.
create table catalogue_changes (
    id         bigserial primary key,
    table_name text not null,
    changed_at timestamptz not null default now()
);

-- When the last snapshot was written and its name: the next one is at least a millisecond later, so that
-- names (time first) sort in the order the snapshots were written, whatever the instances' clocks say.
create table catalogue_snapshot_state (
    id          smallint primary key default 1 check (id = 1),   -- there is one
    written_at  timestamptz not null,
    object_key  text not null
);

create function catalogue_changed() returns trigger language plpgsql as $$
begin
    insert into catalogue_changes (table_name) values (tg_table_name);
    return null;
end $$;

-- row by row, and an update only when it changed something: a statement that matched nothing, or wrote
-- the same values again, is no change
create trigger databases_changed after insert or delete on databases
    for each row execute function catalogue_changed();
create trigger databases_updated after update on databases
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger nodes_changed after insert or delete on nodes
    for each row execute function catalogue_changed();
create trigger nodes_updated after update on nodes
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger credentials_changed after insert or delete on credentials
    for each row execute function catalogue_changed();
create trigger credentials_updated after update on credentials
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger tokens_changed after insert or delete on tokens
    for each row execute function catalogue_changed();
create trigger tokens_updated after update on tokens
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger database_tls_changed after insert or delete on database_tls
    for each row execute function catalogue_changed();
create trigger database_tls_updated after update on database_tls
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger certificate_authority_changed after insert or delete on certificate_authority
    for each row execute function catalogue_changed();
create trigger certificate_authority_updated after update on certificate_authority
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
-- not the progress of a running backup (bytes_processed), nor when it was last verified: what a rebuild needs
create trigger backups_changed after insert or delete on backups
    for each row execute function catalogue_changed();
create trigger backups_updated after update on backups
    for each row when ((old.status, old.method, old.object_key, old.archive_size, old.archive_sha256, old.stored_size,
        old.stored_sha256, old.key_id, old.keys_per_db, old.expiring_keys_per_db, old.integrity_error, old.deleting_at)
        is distinct from (new.status, new.method, new.object_key, new.archive_size, new.archive_sha256, new.stored_size,
        new.stored_sha256, new.key_id, new.keys_per_db, new.expiring_keys_per_db, new.integrity_error, new.deleting_at))
    execute function catalogue_changed();
