-- Staff sessions (issue 6): a random token in an httpOnly cookie, stored here only as an HMAC. A session moves through
-- the steps of a login (a new password, TOTP enrolment, the one-time code) before it is `active`; it ends after
-- idle time or at its absolute lifetime, whichever comes first.
create table staff_sessions (
  id uuid primary key default gen_random_uuid(),
  staff_id uuid not null references staff_users(id) on delete cascade,
  token_hash text not null unique,
  step text not null check (step in ('change_password', 'enroll_totp', 'verify_totp', 'active')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz,
  end_reason text check (end_reason in ('signed_out', 'idle', 'lifetime', 'replaced'))
);
create index staff_sessions_by_staff on staff_sessions (staff_id) where ended_at is null;

-- The last TOTP time step accepted: a code is good once, not twice within its 30 seconds.
alter table staff_users add column totp_last_step bigint;
