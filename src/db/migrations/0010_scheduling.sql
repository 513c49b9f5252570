-- Scheduling by conversation (issue 5). Every request to change the EMR is written here before the EMR is called, under
-- an idempotency key the EMR also sees: a timeout, a crash or an outage never loses a request nor books it twice.
-- What was asked (slot, visit type, appointment, a new patient's details) is PHI and sealed by the application;
-- status, attempts and error codes are plain so staff queues and the retry sweep can query them.
create table scheduling_requests (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  conversation_id uuid references conversations(id),
  patient_id uuid references patients(id),
  kind text not null check (kind in ('book', 'reschedule', 'cancel', 'new_patient')),
  idempotency_key text not null unique,
  -- requested: written, EMR not yet answered; waiting_for_emr: the EMR was unavailable, a retry is due at
  -- next_attempt_at; needs_staff: a person must finish it (new patients, retries exhausted, rejected by the EMR).
  status text not null check (status in (
    'requested', 'waiting_for_emr', 'booked', 'pending', 'cancelled', 'slot_taken', 'rejected', 'needs_staff', 'completed'
  )),
  details_enc text not null,
  -- The EMR's answer (appointment id and time), sealed; null until it answered.
  outcome_enc text,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  -- A PHI-free code such as 'emr_unavailable:timeout'.
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index scheduling_requests_due on scheduling_requests (next_attempt_at) where status = 'waiting_for_emr';
create index scheduling_requests_for_staff on scheduling_requests (practice_id, created_at) where status = 'needs_staff';

