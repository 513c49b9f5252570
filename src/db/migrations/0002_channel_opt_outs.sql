-- Opt-out state per contact and channel (STOP keywords, free-text revocation, provider 21610). The consent ledger
-- (append-only events) will own this history; for now the current state and how it was reached.
create table channel_opt_outs (
  contact_id uuid primary key references contacts(id),
  channel text not null,
  opted_out boolean not null,
  source text not null check (source in ('keyword', 'free_text', 'provider', 'staff')),
  updated_at timestamptz not null default now()
);
