-- Appointments the product reminds patients of and watches for changes made in the EMR (issue 5, reminders).
-- Found by an HMAC of the EMR appointment id; what we last knew of it (its id and start) is sealed. `version` grows
-- when the EMR moves it, and a reminder job fires only for the version it was scheduled for.
create table tracked_appointments (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  patient_id uuid not null references patients(id),
  appointment_ref text not null,
  known_enc text not null,
  status text not null check (status in ('booked', 'cancelled')),
  version integer not null default 1,
  confirmed_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (practice_id, appointment_ref)
);

-- Where the change feed of each practice's EMR was read up to.
create table emr_change_cursors (
  practice_id text primary key references practices(id),
  cursor text not null,
  updated_at timestamptz not null default now()
);

-- The patient's message a scheduling request answers: when the EMR was down and the answer comes later, it is still
-- a reply (not an automated message held for quiet hours).
alter table scheduling_requests add column inbound_message_id bigint references inbound_messages(id);
