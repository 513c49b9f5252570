/** Batch parsing and normalisation of recorded Messenger webhook bodies (made-up PSIDs and texts). */
import fs from 'node:fs';
import path from 'node:path';
import {
  ATTACHMENT_PLACEHOLDER,
  type MessengerBatch,
  type MessengerEvent,
  collectMessengerEvents,
  parseMessengerBody,
} from '../../../../webhooks/messenger/messenger-events';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/messenger');

function parseFixture(name: string): MessengerBatch {
  const parsed = parseMessengerBody(fs.readFileSync(path.join(FIXTURES, name)));
  if (parsed.kind !== 'page') throw new Error(`fixture ${name} did not parse: ${parsed.kind}`);
  return parsed.batch;
}

const inboundOf = (sequence: readonly MessengerEvent[]) =>
  sequence.filter((event): event is Extract<MessengerEvent, { kind: 'inbound' }> => event.kind === 'inbound');

test('every entry and every messaging and standby item is collected, ordered by timestamp per sender', () => {
  const sequences = collectMessengerEvents(parseFixture('batch-two-users-mixed-events.json'));
  const inbound = sequences
    .map((sequence) => inboundOf(sequence).map((event) => event.providerMessageId))
    .filter((mids) => mids.length > 0);
  expect(inbound).toEqual([
    ['m_user1_first', 'm_user1_postback', 'm_user1_third'],
    ['m_user2_first'],
    ['m_user3_standby'],
  ]);
  const kinds = sequences
    .flat()
    .map((event) => event.kind)
    .sort();
  expect(kinds).toEqual(['delivery', 'echo', 'inbound', 'inbound', 'inbound', 'inbound', 'inbound', 'read']);
});

test('messages, quick replies, postbacks and attachments become inbound text with payloads', () => {
  const events = collectMessengerEvents(parseFixture('batch-two-users-mixed-events.json')).flat();
  const byMid = new Map(inboundOf(events).map((event) => [event.providerMessageId, event]));
  expect(byMid.get('m_user1_first')).toEqual({
    kind: 'inbound',
    address: '7100000000000001',
    providerMessageId: 'm_user1_first',
    text: 'Book a visit',
    payload: 'BOOK_APPOINTMENT',
    source: 'messaging',
  });
  expect(byMid.get('m_user1_postback')).toMatchObject({ text: 'Get Started', payload: 'GET_STARTED' });
  expect(byMid.get('m_user1_third')).not.toHaveProperty('payload');
  expect(byMid.get('m_user3_standby')).toMatchObject({
    address: '7100000000000003',
    text: ATTACHMENT_PLACEHOLDER,
    source: 'standby',
  });
});

test('echoes never become inbound; deliveries carry their mids; reads only their watermark', () => {
  const events = collectMessengerEvents(parseFixture('batch-two-users-mixed-events.json')).flat();
  expect(inboundOf(events).map((event) => event.providerMessageId)).not.toContain('m_page_echo');
  expect(events).toContainEqual({ kind: 'echo' });
  expect(events).toContainEqual({ kind: 'delivery', mids: ['m_out_1', 'm_out_2'] });
  expect(events).toContainEqual({ kind: 'read', watermark: 1767261602400 });
});

test('escaped non-ASCII text is decoded', () => {
  const [event] = collectMessengerEvents(parseFixture('message-non-ascii-escaped.json')).flat();
  expect(event).toMatchObject({
    kind: 'inbound',
    text: '¿A qué hora abren el sábado? Café <gratis> 50% https://example.org/horario',
  });
});

test('a postback without a mid (older API versions) gets a stable id that does not contain the PSID', () => {
  const body = (timestamp: number) =>
    Buffer.from(
      JSON.stringify({
        object: 'page',
        entry: [
          { messaging: [{ sender: { id: '7100000000000009' }, timestamp, postback: { payload: 'GET_STARTED' } }] },
        ],
      }),
    );
  const idOf = (raw: Buffer) => {
    const parsed = parseMessengerBody(raw);
    if (parsed.kind !== 'page') throw new Error('did not parse');
    const [event] = collectMessengerEvents(parsed.batch).flat();
    return event?.kind === 'inbound' ? event.providerMessageId : undefined;
  };
  expect(idOf(body(1767261600000))).toBe(idOf(body(1767261600000)));
  expect(idOf(body(1767261600000))).not.toBe(idOf(body(1767261600001)));
  expect(idOf(body(1767261600000))).not.toContain('7100000000000009');
  expect(idOf(body(1767261600000))).toMatch(/^postback-[0-9a-f]{40}$/);
});

test('unknown event kinds and unknown fields are tolerated', () => {
  const parsed = parseMessengerBody(
    Buffer.from(
      JSON.stringify({
        object: 'page',
        entry: [
          {
            id: '1',
            time: 1,
            messaging: [
              { sender: { id: '7100000000000010' }, timestamp: 2, reaction: { mid: 'm_x', action: 'react' } },
            ],
          },
          { id: '1', time: 1, changes: [{ field: 'feed' }] },
        ],
      }),
    ),
  );
  expect(parsed.kind).toBe('page');
  if (parsed.kind === 'page') expect(collectMessengerEvents(parsed.batch).flat()).toEqual([{ kind: 'ignored' }]);
});

test('malformed bodies give a reason naming the field, never a value', () => {
  expect(parseMessengerBody(Buffer.from('{"object":"page",'))).toEqual({
    kind: 'malformed',
    reason: 'body is not valid JSON',
  });
  expect(parseMessengerBody(Buffer.from('[]'))).toMatchObject({
    kind: 'malformed',
    reason: expect.stringMatching(/^body: /),
  });
  expect(parseMessengerBody(Buffer.from('{"object":"page"}'))).toMatchObject({
    reason: expect.stringMatching(/^entry: /),
  });
  const canary = 'Test Patient 555-0100';
  const badMid = parseMessengerBody(
    Buffer.from(
      JSON.stringify({
        object: 'page',
        entry: [{ messaging: [{ sender: { id: canary }, timestamp: 1, message: { mid: 42, text: canary } }] }],
      }),
    ),
  );
  expect(badMid).toMatchObject({
    kind: 'malformed',
    reason: expect.stringMatching(/^entry\.0\.messaging\.0\.message\.mid: /),
  });
  expect(JSON.stringify(badMid)).not.toContain(canary);
  const noSender = parseMessengerBody(
    Buffer.from(
      JSON.stringify({ object: 'page', entry: [{ messaging: [{ message: { mid: 'm_1', text: canary } }] }] }),
    ),
  );
  expect(noSender).toEqual({
    kind: 'malformed',
    reason: 'entry.0.messaging.0.sender: is required for messages and postbacks',
  });
});

test('bodies for other objects are told apart from malformed ones', () => {
  expect(parseMessengerBody(Buffer.from('{"object":"instagram","entry":[{"changes":[]}]}'))).toEqual({
    kind: 'other_object',
  });
});
