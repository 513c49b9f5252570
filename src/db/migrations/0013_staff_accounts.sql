-- Staff accounts (issue 6, DESIGN §4): one account per person, argon2id password hashes, a TOTP second factor
-- enrolled at first login, lockout after repeated failures, roles and the departments and locations each person
-- works for (they see only those conversations). Workforce data, not PHI; the TOTP secret is sealed all the same,
-- since whoever reads it can pass the second factor.
create table staff_users (
  id uuid primary key default gen_random_uuid(),
  practice_id text not null references practices(id),
  -- Lower-cased; the login name.
  email text not null,
  name text not null,
  role text not null check (role in ('front_desk', 'nurse', 'billing', 'practice_manager', 'admin')),
  password_hash text not null,
  -- Set for a one-time password (new account, reset by an admin): the next login must choose a new one.
  must_change_password boolean not null default true,
  totp_secret_enc text,
  totp_enrolled_at timestamptz,
  failed_logins integer not null default 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (practice_id, email)
);

create table staff_departments (
  staff_id uuid not null references staff_users(id) on delete cascade,
  department text not null check (department in ('front_desk', 'nurse_line', 'billing', 'practice_management')),
  primary key (staff_id, department)
);

create table staff_locations (
  staff_id uuid not null references staff_users(id) on delete cascade,
  location_id text not null references locations(id),
  primary key (staff_id, location_id)
);
