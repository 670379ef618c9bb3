-- The catalogue's snapshots hold point-in-time recovery too (its archivers, the segments of their streams and
-- the gaps): their changes are recorded as V59's are. Not what changes while an archiver runs (its lease, when
-- it last made the stream durable, its last error): a rebuild lets every lease go, and the rest is live state.
create trigger pitr_archivers_changed after insert or delete on pitr_archivers
    for each row execute function catalogue_changed();
create trigger pitr_archivers_updated after update on pitr_archivers
    for each row when ((old.enabled, old.set_explicitly) is distinct from (new.enabled, new.set_explicitly))
    execute function catalogue_changed();
create trigger pitr_segments_changed after insert or delete on pitr_segments
    for each row execute function catalogue_changed();
create trigger pitr_segments_updated after update on pitr_segments
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
create trigger pitr_gaps_changed after insert or delete on pitr_gaps
    for each row execute function catalogue_changed();
create trigger pitr_gaps_updated after update on pitr_gaps
    for each row when (old.* is distinct from new.*) execute function catalogue_changed();
