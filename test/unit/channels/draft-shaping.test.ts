import { createDraftShaper } from '../../../src/channels/draft-shaping';

const shape = createDraftShaper(new Map([['sms', 320]]));
const sentence = 'Please bring your insurance card and a photo ID to your visit, and arrive ten minutes early. ';
const long = { text: sentence.repeat(6).trim(), quickReplies: [{ title: 'Hours', payload: 'faq.hours' }], classification: 'none' as const };

test('a long SMS draft becomes several messages split at sentences, quick replies on the last', () => {
  const parts = shape('sms', [long], 'en');
  expect(parts.length).toBeGreaterThan(1);
  for (const part of parts) {
    expect(part.text.length).toBeLessThanOrEqual(320);
    expect(part.text).toMatch(/early\.$/);
  }
  expect(parts.map((part) => part.text).join(' ')).toBe(long.text);
  expect(parts.slice(0, -1).every((part) => part.quickReplies.length === 0)).toBe(true);
  expect(parts.at(-1)!.quickReplies).toEqual(long.quickReplies);
});

test('channels without a limit, and short texts, pass through unchanged', () => {
  expect(shape('webchat', [long], 'en')).toEqual([long]);
  const short = { ...long, text: 'Hi!' };
  expect(shape('sms', [short], 'en')).toEqual([short]);
});
