-- Patients and identity (DESIGN §4, §6). Demographics are cached from the EMR, encrypted by the application; lookups
-- go through HMAC blind indexes (phone on record, date of birth, name + DOB for duplicate detection), never plaintext.
create table patients (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  emr_id text not null,
  -- {given, family, birthDate, phone, email}, AES-256-GCM with the key id.
  demographics_enc text not null,
  phone_hash text,
  birth_date_hash text not null,
  duplicate_hash text not null,
  synced_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (practice_id, emr_id)
);
create index patients_by_phone on patients (practice_id, phone_hash);
create index patients_by_duplicate on patients (practice_id, duplicate_hash);

-- The patient a channel address has proven to be (date of birth + a code sent to the phone on record). A family
-- phone keeps one contact; whoever verified last is the patient the conversation speaks for.
alter table contacts add column patient_id uuid references patients(id);
alter table contacts add column verified_at timestamptz;

-- Likely duplicates (same name and DOB, different EMR records) wait for staff; nothing is merged silently.
create table patient_duplicate_flags (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  patient_id uuid not null references patients(id),
  other_patient_id uuid not null references patients(id),
  status text not null default 'open' check (status in ('open', 'merged', 'dismissed')),
  created_at timestamptz not null default now(),
  unique (patient_id, other_patient_id),
  check (patient_id < other_patient_id)
);

-- The bot asking for consent (a `requested` event) is its own source.
alter table consent_events drop constraint consent_events_source_check;
alter table consent_events add constraint consent_events_source_check
  check (source in ('patient_reply', 'stop_keyword', 'staff', 'secure_page', 'carrier', 'bot'));
