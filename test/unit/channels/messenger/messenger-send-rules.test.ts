/** The Messenger sender's rules that need no HTTP: the window, quick-reply shaping, Graph error classification. */
import { SendError } from '../../../../src/channels/channel-sender';
import { classifyGraphFailure } from '../../../../src/channels/messenger/graph-send-errors';
import {
  MessengerSender,
  chooseMessagingType,
  computeAppsecretProof,
  messengerSenderSettingsSchema,
  shortenTitle,
  toGraphQuickReplies,
} from '../../../../src/channels/messenger/messenger-sender';

const NOW = new Date('2026-03-10T15:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);

function windowClosed(run: () => unknown): SendError {
  try {
    run();
  } catch (error) {
    if (error instanceof SendError) return error;
  }
  throw new Error('expected a SendError');
}

describe('messaging window', () => {
  test('anyone may answer as RESPONSE within 24 hours of the patient', () => {
    for (const author of ['bot', 'staff', 'system'] as const) {
      expect(chooseMessagingType({ author, lastInboundAt: hoursAgo(23.9) }, NOW)).toEqual({
        messaging_type: 'RESPONSE',
      });
    }
    // A last message stamped a little in the future (clock skew) is within the window too.
    expect(chooseMessagingType({ author: 'bot', lastInboundAt: hoursAgo(-0.1) }, NOW)).toEqual({
      messaging_type: 'RESPONSE',
    });
  });

  test('after 24 hours only staff answer, with the HUMAN_AGENT tag, for up to 7 days', () => {
    expect(chooseMessagingType({ author: 'staff', lastInboundAt: hoursAgo(24) }, NOW)).toEqual({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(chooseMessagingType({ author: 'staff', lastInboundAt: hoursAgo(7 * 24 - 0.1) }, NOW)).toMatchObject({
      tag: 'HUMAN_AGENT',
    });
    expect(
      windowClosed(() => chooseMessagingType({ author: 'staff', lastInboundAt: hoursAgo(7 * 24) }, NOW)).kind,
    ).toBe('window_closed');
  });

  test('the bot and system messages never go out after 24 hours, nor anything without a patient message', () => {
    expect(windowClosed(() => chooseMessagingType({ author: 'bot', lastInboundAt: hoursAgo(24) }, NOW))).toMatchObject({
      kind: 'window_closed',
      providerCode: undefined,
    });
    expect(windowClosed(() => chooseMessagingType({ author: 'system', lastInboundAt: hoursAgo(30) }, NOW)).kind).toBe(
      'window_closed',
    );
    expect(windowClosed(() => chooseMessagingType({ author: 'staff', lastInboundAt: null }, NOW)).kind).toBe(
      'window_closed',
    );
  });
});

describe('quick replies', () => {
  test('titles fit in 20 characters, cut at a word when one is near', () => {
    expect(shortenTitle('Tomorrow morning')).toBe('Tomorrow morning');
    expect(shortenTitle('  Next   Tuesday  ')).toBe('Next Tuesday');
    expect(shortenTitle('Reschedule my appointment')).toBe('Reschedule my…');
    expect(shortenTitle('Supercalifragilisticexpialidocious')).toBe('Supercalifragilisti…');
    expect([...shortenTitle('Sí, confirmo mi cita de mañana 🙂🙂')].length).toBeLessThanOrEqual(20);
    // Never splits a surrogate pair.
    expect(shortenTitle('🙂'.repeat(25))).toBe(`${'🙂'.repeat(19)}…`);
  });

  test('at most 13, as text quick replies with their payloads', () => {
    const many = Array.from({ length: 15 }, (_, index) => ({
      title: `Option ${index + 1}`,
      payload: `OPTION_${index + 1}`,
    }));
    const replies = toGraphQuickReplies(many)!;
    expect(replies).toHaveLength(13);
    expect(replies[0]).toEqual({ content_type: 'text', title: 'Option 1', payload: 'OPTION_1' });
    expect(toGraphQuickReplies([])).toBeUndefined();
    expect(toGraphQuickReplies([{ title: 'Yes', payload: '' }])).toEqual([
      { content_type: 'text', title: 'Yes', payload: 'Yes' },
    ]);
  });
});

describe('Graph errors', () => {
  const graphError = (code: number, subcode?: number, extra: Record<string, unknown> = {}) => ({
    error: {
      message: '(#0) quoted text Test Patient',
      type: 'OAuthException',
      code,
      error_subcode: subcode,
      fbtrace_id: 'AbC123',
      ...extra,
    },
  });

  test.each([
    [400, graphError(10, 2018278), 'window_closed', '10/2018278'],
    [400, graphError(551, 1545041), 'invalid_recipient', '551/1545041'],
    [400, graphError(100, 2018001), 'invalid_recipient', '100/2018001'],
    [400, graphError(190), 'rejected', '190'],
    [401, graphError(190, 463), 'rejected', '190/463'],
    [400, graphError(4), 'transient', '4'],
    [400, graphError(32), 'transient', '32'],
    [400, graphError(613), 'transient', '613'],
    [500, graphError(2), 'transient', '2'],
    [400, graphError(1200), 'transient', '1200'],
    [400, graphError(100, 2018047, { is_transient: true }), 'transient', '100/2018047'],
    [400, graphError(100), 'rejected', '100'],
    [400, graphError(10), 'rejected', '10'],
    [502, undefined, 'transient', 'http_502'],
    [429, undefined, 'transient', 'http_429'],
    [404, { unexpected: true }, 'rejected', 'http_404'],
  ])('HTTP %i %j → %s', (status, body, kind, providerCode) => {
    const error = classifyGraphFailure(status, body);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind, providerCode });
    expect(error.message).not.toContain('Test Patient');
  });
});

describe('settings', () => {
  test('defaults to graph.facebook.com v21.0 and refuses empty credentials', () => {
    expect(messengerSenderSettingsSchema.parse({ pageAccessToken: 'page-token', appSecret: 'secret' })).toMatchObject({
      graphBaseUrl: 'https://graph.facebook.com',
      graphApiVersion: 'v21.0',
    });
    const problems = messengerSenderSettingsSchema.safeParse({
      pageAccessToken: ' ',
      appSecret: 'secret',
      graphBaseUrl: 'ftp://x',
    });
    expect(problems.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['pageAccessToken', 'graphBaseUrl']);
    expect(() => new MessengerSender({ pageAccessToken: '', appSecret: 'secret' })).toThrow();
  });

  test('declares its capabilities', () => {
    const sender = new MessengerSender({ pageAccessToken: 'page-token', appSecret: 'secret' });
    expect(sender.channel).toBe('messenger');
    expect(sender.capabilities).toEqual({
      maxLength: 2000,
      quickReplies: true,
      phiAllowed: false,
      messagingWindowHours: 24,
    });
  });

  test('appsecret_proof is the hex HMAC-SHA256 of the token keyed with the app secret', () => {
    // Independent value: printf %s page-token | openssl dgst -sha256 -hmac secret
    expect(computeAppsecretProof('page-token', 'secret')).toBe(
      '58c48136d9507c3c8f5112ca4b42928f913c3338700a30bf9a6626368ff7748b',
    );
  });
});
