-- A session ended by an operator revoking access (`concierge staff disable`, `concierge staff sign-out-everyone`).
alter table staff_sessions drop constraint staff_sessions_end_reason_check;
alter table staff_sessions
  add constraint staff_sessions_end_reason_check
    check (end_reason in ('signed_out', 'idle', 'lifetime', 'replaced', 'reset', 'revoked'));
