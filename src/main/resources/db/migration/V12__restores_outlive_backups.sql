-- A restore's history outlives the backup it used: retention may delete that backup later.
alter table restores alter column backup_id drop not null;
alter table restores drop constraint restores_backup_id_fkey;
alter table restores add constraint restores_backup_id_fkey
    foreign key (backup_id) references backups (id) on delete set null;
