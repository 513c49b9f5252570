-- "Continue in a verified web chat" (DESIGN §4): after the identity check the secure page links to /chat with a
-- one-time code; redeeming it opens a web chat whose contact is verified as the patient, so the web chat policy
-- (after_verification) lets PHI answers through there. The code lives only in that link: the database keeps its HMAC,
-- and it works once, within minutes.
create table verified_chat_handoffs (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  link_id uuid not null references secure_links(id),
  patient_id uuid not null references patients(id),
  language text not null check (language in ('en', 'es')),
  code_hash text not null unique,
  expires_at timestamptz not null,
  redeemed_at timestamptz,
  -- The web chat conversation the code opened.
  conversation_id uuid references conversations(id),
  created_at timestamptz not null default now()
);
create index verified_chat_handoffs_by_expiry on verified_chat_handoffs (expires_at);
