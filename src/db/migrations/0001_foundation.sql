-- Foundation: the practice, its content, conversations and the message lifecycle (DESIGN §3, §6).
-- Columns ending in _enc hold AES-256-GCM ciphertext from the PHI key ring; _hash columns are HMAC blind indexes.

create table practices (
  id text primary key,
  name text not null,
  profile jsonb not null,
  created_at timestamptz not null default now()
);

create table locations (
  id text primary key,
  practice_id text not null references practices(id),
  name text not null,
  time_zone text not null,
  details jsonb not null,
  created_at timestamptz not null default now()
);

create table faq_entries (
  practice_id text not null references practices(id),
  topic text not null,
  lang text not null check (lang in ('en', 'es')),
  answer text not null,
  updated_at timestamptz not null default now(),
  primary key (practice_id, topic, lang)
);

create table flows (
  id text primary key,
  practice_id text not null references practices(id),
  key text not null,
  created_at timestamptz not null default now(),
  unique (practice_id, key)
);

create table flow_versions (
  id bigint generated always as identity primary key,
  flow_id text not null references flows(id),
  version integer not null,
  status text not null check (status in ('draft', 'published', 'archived')),
  definition jsonb not null,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  unique (flow_id, version)
);
-- At most one published version per flow.
create unique index flow_versions_one_published on flow_versions (flow_id) where status = 'published';

create table contacts (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  channel text not null,
  address_hash text not null,
  address_enc text not null,
  created_at timestamptz not null default now(),
  unique (practice_id, channel, address_hash)
);

create table conversations (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  contact_id uuid not null references contacts(id),
  channel text not null,
  state text not null default 'bot' check (state in ('bot', 'waiting', 'assigned', 'closed')),
  language text check (language in ('en', 'es')),
  last_seq integer not null default 0,
  -- Bot memory across flows (e.g. consecutive misses); never PHI.
  memory jsonb not null default '{}',
  last_inbound_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index conversations_contact on conversations (contact_id);

create table inbound_messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references conversations(id),
  channel text not null,
  provider_message_id text not null,
  seq integer not null,
  body_enc text,
  payload_enc text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (channel, provider_message_id),
  unique (conversation_id, seq)
);
create index inbound_messages_unprocessed on inbound_messages (conversation_id, id) where processed_at is null;

create table outbound_messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references conversations(id),
  inbound_message_id bigint references inbound_messages(id),
  channel text not null,
  seq integer not null,
  author text not null default 'bot' check (author in ('bot', 'staff', 'system')),
  classification text not null check (classification in ('none', 'phi')),
  language text check (language in ('en', 'es')),
  body_enc text,
  quick_replies_enc text,
  status text not null default 'queued',
  status_history jsonb not null default '[]',
  provider_message_id text,
  attempts integer not null default 0,
  last_error_code text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (conversation_id, seq)
);
create index outbound_messages_pending on outbound_messages (id) where status in ('queued', 'sending');

-- Botkit dialog state: keys are HMACs (the raw keys contain channel addresses), values encrypted.
create table dialog_state (
  key_hash text primary key,
  value_enc text not null,
  updated_at timestamptz not null default now()
);

-- Requests to reach a person, recorded until the staff inbox takes them over.
create table handoff_requests (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references conversations(id),
  reason text not null,
  created_at timestamptz not null default now()
);
