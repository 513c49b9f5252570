-- /metrics counts dead letters on every scrape of every replica: a partial index keeps that off the whole table.
create index outbound_messages_dead on outbound_messages (channel) where status = 'dead';
