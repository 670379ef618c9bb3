-- TLS for provisioned databases: Coffer's own certificate authority (one per catalogue, so every
-- instance serves and trusts the same certificates) and each database's certificate, with the
-- private keys sealed by the keyring like the Redis passwords; and whether TLS is forced.

create table certificate_authority (
    id           smallint primary key default 1 check (id = 1),   -- there is one
    certificate  text not null,                                    -- PEM
    sealed_key   text not null,                                    -- PKCS#8 PEM, sealed by the keyring
    created_at   timestamptz not null
);

create table database_tls (
    database_id  text primary key references databases (id),
    certificate  text not null,                                    -- PEM, issued by the authority above
    sealed_key   text not null,
    force_tls    boolean not null default false,                   -- what the last finished change left
    changed_at   timestamptz
);
