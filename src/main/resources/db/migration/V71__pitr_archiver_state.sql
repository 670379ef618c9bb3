-- What the running archiver of a database is doing, and what of its stream still waits for object storage,
-- both written by the archiver with its durable mark (once a second, or at once when its state changes).
alter table pitr_archivers
    add column state                text,         -- connecting, waiting_for_full_sync, full_sync, archiving; null while none runs
    add column oldest_unuploaded_at timestamptz,  -- arrival of the oldest archived command not yet in object storage
    add column last_upload_error    text;         -- why the last upload failed, null once nothing waits
