-- The secure-link handoff (DESIGN §3 step 3, §4): PHI that may not go out on a channel waits behind a link to
-- /s/<token>; the page asks for a date of birth, texts a one-time code to the phone on record, then shows the
-- information. Tokens, codes and session cookies are stored only as HMACs; nothing here is PHI.
create table secure_links (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  conversation_id uuid not null references conversations(id),
  contact_id uuid not null references contacts(id),
  -- Known when the link is issued, or set to the patient who verified (a family may share one phone).
  patient_id uuid references patients(id),
  topic text not null,
  language text not null default 'en' check (language in ('en', 'es')),
  token_hash text not null unique,
  status text not null default 'active'
    check (status in ('active', 'verified', 'closed', 'superseded', 'locked', 'expired')),
  expires_at timestamptz not null,
  verified_at timestamptz,
  session_hash text,
  last_activity_at timestamptz,
  closed_reason text check (closed_reason in ('signed_out', 'idle', 'session_limit')),
  ended_at timestamptz,
  created_at timestamptz not null default now()
);
-- One live link per conversation: issuing a new one supersedes the old in the same transaction.
create unique index secure_links_one_live on secure_links (conversation_id) where status in ('active', 'verified');

-- One challenge per date-of-birth attempt. patient_id null = a decoy: nothing matched, no code was sent, and the
-- challenge can never succeed, so every later step looks the same as for a real one.
create table otp_challenges (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  link_id uuid not null references secure_links(id),
  contact_id uuid not null references contacts(id),
  patient_id uuid references patients(id),
  code_hash text not null,
  attempts integer not null default 0,
  expires_at timestamptz not null,
  locked_until timestamptz,
  verified_at timestamptz,
  created_at timestamptz not null default now()
);
create index otp_challenges_by_link on otp_challenges (link_id, id desc);
create index otp_challenges_contact_locks on otp_challenges (contact_id, locked_until) where locked_until is not null;
create index otp_challenges_patient_locks on otp_challenges (patient_id, locked_until) where locked_until is not null;

-- Fixed-window rate-limit counters. bucket is a blind index (it may stand for an IP address or a phone number).
create table rate_limit_counters (
  bucket text not null,
  window_start timestamptz not null,
  hits integer not null,
  primary key (bucket, window_start)
);
create index rate_limit_counters_by_window on rate_limit_counters (window_start);
