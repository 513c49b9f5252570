-- The consent ledger (DESIGN §4, §6): append-only events per contact, channel and purpose; current state is derived
-- from the latest event. `messages` is the channel subscription itself (STOP / START); `phi_messages`, `reminders`
-- and `marketing` are consents on top of it. Evidence (message id, exact wording shown, IP / user agent, staff note)
-- is encrypted by the application; rows carried over from channel_opt_outs have none.
create table consent_events (
  id bigint generated always as identity primary key,
  practice_id text not null references practices(id),
  contact_id uuid not null references contacts(id),
  channel text not null,
  purpose text not null check (purpose in ('messages', 'phi_messages', 'reminders', 'marketing')),
  action text not null check (action in ('granted', 'revoked', 'requested')),
  source text not null check (source in ('patient_reply', 'stop_keyword', 'staff', 'secure_page', 'carrier')),
  actor text not null,
  evidence_enc text,
  created_at timestamptz not null default now()
);
create index consent_events_current on consent_events (contact_id, channel, purpose, id desc);

create function consent_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'consent_events is append-only: record a new event instead of changing one';
end
$$;
create trigger consent_events_append_only before update or delete on consent_events
  for each row execute function consent_events_append_only();

insert into consent_events (practice_id, contact_id, channel, purpose, action, source, actor, created_at)
select contacts.practice_id, opt_outs.contact_id, opt_outs.channel, 'messages',
       case when opt_outs.opted_out then 'revoked' else 'granted' end,
       case
         when opt_outs.source = 'keyword' and opt_outs.opted_out then 'stop_keyword'
         when opt_outs.source = 'provider' then 'carrier'
         when opt_outs.source = 'staff' then 'staff'
         else 'patient_reply'
       end,
       case when opt_outs.source in ('keyword', 'free_text') then 'patient:' || opt_outs.contact_id else opt_outs.source end,
       opt_outs.updated_at
from channel_opt_outs opt_outs join contacts on contacts.id = opt_outs.contact_id;

drop table channel_opt_outs;
