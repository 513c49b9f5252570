-- Delivery bookkeeping for the outbox.
--   claimed_at: when the current send attempt began. A row left in `sending` (a worker died mid-call, or the
--     provider's answer was lost) waits for the provider's status callback until claimed_at + the reconcile window
--     before it is sent again, so a crash of ours does not send a message twice.
--   not_before: automated messages held for quiet hours (status `held`) go at this time.
-- New statuses: `held` (quiet hours) and `awaiting_reply` (WhatsApp window closed: a template nudge went instead;
-- the message goes when the patient replies).
alter table outbound_messages add column claimed_at timestamptz;
alter table outbound_messages add column not_before timestamptz;
create index outbound_messages_held on outbound_messages (not_before) where status = 'held';
create index outbound_messages_awaiting_reply on outbound_messages (conversation_id) where status = 'awaiting_reply';
