-- The staff inbox (issue 6). A handoff request becomes an inbox item with its own life: waiting in a department's
-- queue, assigned to one person, closed with an outcome. At most one item per conversation is open; while it is, the
-- conversation's state says so (waiting | assigned) and the bot stays quiet. SLA: due_at is computed in business
-- time (closed hours do not count); escalated_at marks an item re-escalated to a supervisor past its target.
alter table handoff_requests
  add column department text not null default 'front_desk'
    check (department in ('front_desk', 'nurse_line', 'billing', 'practice_management')),
  add column location_id text references locations(id),
  add column state text not null default 'waiting' check (state in ('waiting', 'assigned', 'closed')),
  add column assignee_id uuid references staff_users(id),
  add column priority text not null default 'normal' check (priority in ('normal', 'urgent')),
  add column due_at timestamptz,
  add column escalated_at timestamptz,
  add column claimed_at timestamptz,
  add column closed_at timestamptz,
  add column outcome text,
  add column updated_at timestamptz not null default now();
-- Requests recorded before the inbox existed were never routed to anyone: they close as such.
update handoff_requests set state = 'closed', closed_at = now(), outcome = 'before_inbox';
create unique index handoff_requests_one_open on handoff_requests (conversation_id) where state <> 'closed';
create index handoff_requests_queue on handoff_requests (department, created_at) where state <> 'closed';

-- Who takes new items automatically (round-robin among the available, up to their capacity).
alter table staff_users
  add column available boolean not null default false,
  add column capacity integer not null default 5 check (capacity between 1 and 50),
  add column last_assigned_at timestamptz;

-- Internal notes on a conversation (transfer notes too); staff write them, patients never see them. Sealed: notes
-- are about patients.
create table inbox_notes (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references conversations(id),
  staff_id uuid not null references staff_users(id),
  body_enc text not null,
  created_at timestamptz not null default now()
);
create index inbox_notes_by_conversation on inbox_notes (conversation_id, id);

-- Canned responses practice managers keep for the team. Practice wording, not PHI.
create table canned_responses (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  title text not null,
  body text not null,
  updated_by uuid references staff_users(id),
  updated_at timestamptz not null default now(),
  unique (practice_id, title)
);

-- Break-glass: a person opened a conversation outside their departments or locations, with a reason (sealed). Good
-- for the session that asked; every use is audited and shown to admins.
create table break_glass_grants (
  id bigint generated always as identity primary key,
  staff_id uuid not null references staff_users(id),
  conversation_id uuid not null references conversations(id),
  reason_enc text not null,
  expires_at timestamptz not null,
  reviewed_at timestamptz,
  created_at timestamptz not null default now()
);
create index break_glass_by_staff on break_glass_grants (staff_id, conversation_id);

-- A staff reply sent as a secure link: the page shows it after the identity check, to that patient only.
create table staff_secure_messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations(id),
  patient_id uuid references patients(id),
  body_enc text not null,
  created_at timestamptz not null default now()
);
