-- A webhook's body may carry REDIS_URL, password included, and waits in webhook_deliveries for days:
-- it is kept sealed with a key-encryption key of the keyring (AES-256-GCM, bound to its receiver, event
-- and delivery id), named here. Rows from before have none: their body is plain text, sent as it is.
alter table webhook_deliveries add column body_key_id text;
