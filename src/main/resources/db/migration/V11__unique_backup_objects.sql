-- Two backups must never share an object: a failed one's clean-up would delete the other's archive.
create unique index backups_object_key on backups (object_key);
