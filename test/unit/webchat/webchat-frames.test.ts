import { MAX_FRAME_BYTES, parseClientFrame } from '../../../webhooks/webchat/webchat-frames';

test('valid frames parse with defaults', () => {
  expect(parseClientFrame('{"type":"hello"}')).toEqual({ type: 'hello', lastSeq: 0 });
  expect(parseClientFrame('{"type":"message","clientMsgId":"abc-12345","text":"  hi  "}')).toEqual({
    type: 'message',
    clientMsgId: 'abc-12345',
    text: 'hi',
  });
});

test('bad frames give a reason without echoing the input', () => {
  expect(parseClientFrame('nope')).toMatchObject({ type: 'error', code: 'malformed', reason: 'frame is not valid JSON' });
  const unknown = parseClientFrame('{"type":"launch","secret":"Test Patient"}');
  expect(unknown).toMatchObject({ type: 'error', code: 'malformed' });
  expect(JSON.stringify(unknown)).not.toContain('Test Patient');
  expect(parseClientFrame('{"type":"message","clientMsgId":"abc-12345","text":"   "}')).toMatchObject({ reason: 'text: must not be empty' });
  expect(parseClientFrame(JSON.stringify({ type: 'message', clientMsgId: 'a'.repeat(10), text: 'x'.repeat(MAX_FRAME_BYTES) }))).toMatchObject({
    code: 'too_large',
  });
});
