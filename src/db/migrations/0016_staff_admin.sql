-- Admin review of break-glass access (who looked at the flag), a session end for an admin's password reset, and
-- note and staff-message bodies the retention run may clear.
alter table break_glass_grants add column reviewed_by uuid references staff_users(id);
create index break_glass_to_review on break_glass_grants (created_at) where reviewed_at is null;

alter table staff_sessions drop constraint staff_sessions_end_reason_check;
alter table staff_sessions
  add constraint staff_sessions_end_reason_check
    check (end_reason in ('signed_out', 'idle', 'lifetime', 'replaced', 'reset'));

-- Notes and staff messages are message bodies too: the retention run clears them after the practice's period.
alter table inbox_notes alter column body_enc drop not null;
alter table staff_secure_messages alter column body_enc drop not null;
