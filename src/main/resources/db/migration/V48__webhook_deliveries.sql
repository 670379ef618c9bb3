-- The webhook outbox: one row per event and receiver, written when the event is published, so that a
-- delivery waiting for a retry (or being sent) outlives the instance that published it. A row is
-- claimed by pushing next_attempt_at past a lease: one whose instance died becomes due again.
-- The signature is computed once, so that every instance sends the very same headers on each attempt.
create table webhook_deliveries (
	id bigserial primary key,
	url text not null,
	event_type text not null,
	delivery_id text not null,
	body bytea not null,
	signature text,
	attempts integer not null default 0,
	max_attempts integer not null,
	next_attempt_at timestamptz not null default now(),
	status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
	claimed_by text,
	last_error text,
	created_at timestamptz not null default now(),
	finished_at timestamptz
);

create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_finished on webhook_deliveries (finished_at) where status <> 'pending';
