-- What practice managers edit in /admin, as whole releases: the practice's and locations' details, FAQ answers,
-- flows and NLU training phrases. One draft per practice (with an edit lock), one published release, and the
-- archived ones for history and rollback. Publishing writes the release into the live tables the bot reads.
create table content_releases (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  -- Published and archived releases are numbered; the draft is not (yet).
  version integer,
  status text not null check (status in ('draft', 'published', 'archived')),
  content jsonb not null,
  -- The published version a draft started from (a publish refuses a draft overtaken by another publish).
  based_on integer,
  note text,
  -- Who: a staff id, or null for the command line and the first snapshot.
  created_by uuid references staff_users(id),
  created_at timestamptz not null default now(),
  updated_by uuid references staff_users(id),
  updated_at timestamptz not null default now(),
  published_by uuid references staff_users(id),
  published_at timestamptz,
  locked_by uuid references staff_users(id),
  lock_expires_at timestamptz,
  unique (practice_id, version),
  check ((status = 'draft') = (version is null))
);
create unique index content_releases_one_draft on content_releases (practice_id) where status = 'draft';
create unique index content_releases_one_published on content_releases (practice_id) where status = 'published';
