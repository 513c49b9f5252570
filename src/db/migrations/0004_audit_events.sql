-- The audit trail (DESIGN §3 step 5): append-only and hash-chained. Each row carries the previous row's hash and its
-- own, an HMAC (key derived from the PHI key ring) over its fields and the previous hash, so an edit, a deletion or a
-- reordering breaks the chain at a row `concierge audit verify` names. Rows hold ids and outcomes, never PHI.
create table audit_events (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  actor text not null,
  action text not null,
  patient_ref text,
  purpose text,
  request_id text,
  details jsonb not null default '{}',
  prev_hash text not null,
  hash text not null unique
);
