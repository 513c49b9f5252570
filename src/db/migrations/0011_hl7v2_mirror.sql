-- The HL7 v2 EHR adapter (EMR_ADAPTER=hl7v2). The EHR answers our SRM requests with an ACK only; it books, moves and
-- cancels in its own time and tells us with SIU messages. Their content is kept here, so reads (an appointment,
-- a patient's upcoming visits, changes since a cursor, patient matching) never wait on the EHR.

-- Every applied SIU takes the next number, so "changed since" is a cursor. SIUs are applied under a per-practice
-- advisory lock, so numbers commit in order and a reader never skips one still in flight.
create sequence hl7v2_change_seq;

-- The EHR's appointments as its SIU messages describe them. Times, visit type, practitioner and location are PHI
-- next to a patient: they live in details_enc (AES-256-GCM JSON). The patient is a blind index, so "upcoming for this
-- patient" finds its rows and sorts their decrypted times in the application (one patient has a handful).
create table hl7v2_appointments (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  -- SCH-2, the EHR's appointment id (EmrAppointment.emrId).
  filler_id text not null,
  -- SCH-1: our idempotency key when we asked for it; null for visits booked at the front desk.
  placer_id text,
  patient_hash text not null,
  -- FHIR Appointment.status words (booked, pending, cancelled, entered-in-error, ...).
  status text not null,
  -- {patientEmrId, start, end, visitType, practitionerName, practitionerEmrId, locationName, locationEmrId}.
  details_enc text not null,
  change_seq bigint not null default nextval('hl7v2_change_seq'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practice_id, filler_id)
);
-- Not unique: the EHR is the source of truth, and a feed that reuses a placer id must not be refused.
create index hl7v2_appointments_by_placer on hl7v2_appointments (practice_id, placer_id) where placer_id is not null;
create index hl7v2_appointments_by_patient on hl7v2_appointments (practice_id, patient_hash);
create index hl7v2_appointments_by_change on hl7v2_appointments (practice_id, change_seq);

-- Patients as the PID segments of the feed describe them (the adapter's matchPatient and listPatients read them).
-- Demographics encrypted; found by blind indexes of the phone, the birth date and the family name.
create table hl7v2_patients (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  -- PID-3, the EHR's patient id.
  emr_id text not null,
  -- {given, family, birthDate, phone, email}.
  demographics_enc text not null,
  phone_hash text,
  birth_date_hash text,
  family_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practice_id, emr_id)
);
create index hl7v2_patients_by_phone on hl7v2_patients (practice_id, phone_hash);
create index hl7v2_patients_by_birth_date on hl7v2_patients (practice_id, birth_date_hash);
create index hl7v2_patients_by_family on hl7v2_patients (practice_id, family_hash);

-- Our SRM requests: one row per idempotency key, so a retry resends with the same MSH-10 and placer id, which the
-- EHR de-duplicates on. Holds ids and ACK codes only, never the message (it names the patient and the time).
create table hl7v2_outgoing_requests (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  idempotency_key text not null,
  kind text not null check (kind in ('book', 'reschedule', 'cancel')),
  -- ARQ-1 and ARQ-2 as sent.
  placer_id text not null,
  appointment_emr_id text,
  message_control_id text not null unique,
  -- sent: waiting for the ACK; accepted: AA/CA; rejected: AE/AR/CE/CR; unanswered: no ACK in time (may be resent).
  status text not null default 'sent' check (status in ('sent', 'accepted', 'rejected', 'unanswered')),
  ack_code text,
  error_code text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practice_id, idempotency_key)
);
