-- The Coffer instance that provisions a database, so that another one can settle a provisioning whose
-- instance stopped (the database would stay "provisioning", which cannot even be deleted, for ever).
alter table databases add column provisioning_instance text;
