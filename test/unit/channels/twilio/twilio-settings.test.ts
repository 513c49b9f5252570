import { loadConfig } from '../../../../src/config';
import { rewriteOrigin } from '../../../../src/channels/twilio/twilio-client';
import { isWithinWindow } from '../../../../src/channels/channel-sender';
import { twilioSettingsFromConfig, withWhatsappPrefix } from '../../../../src/channels/twilio/twilio-sender';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

describe('rewriteOrigin', () => {
  test('replaces scheme, host and port; keeps path and query', () => {
    expect(
      rewriteOrigin(
        `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?PageSize=5`,
        'http://127.0.0.1:4010',
      ),
    ).toBe(`http://127.0.0.1:4010/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?PageSize=5`);
  });
});

describe('twilioSettingsFromConfig', () => {
  test('undefined without an account SID and auth token (the dev outbox is used instead)', () => {
    expect(twilioSettingsFromConfig(loadConfig({}))).toBeUndefined();
    expect(twilioSettingsFromConfig(loadConfig({ TWILIO_ACCOUNT_SID: ACCOUNT_SID }))).toBeUndefined();
  });

  test('maps TWILIO_* and PUBLIC_URL', () => {
    const settings = twilioSettingsFromConfig(
      loadConfig({
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: 'made-up-token',
        TWILIO_SMS_FROM: '+15555550100',
        TWILIO_WHATSAPP_FROM: 'whatsapp:+15555550100',
        TWILIO_API_BASE_URL: 'http://127.0.0.1:4010',
        TWILIO_WHATSAPP_TEMPLATE_SID: 'HX0123456789abcdef0123456789abcdef',
        PUBLIC_URL: 'https://concierge.example.test/',
      }),
    );
    expect(settings).toEqual({
      accountSid: ACCOUNT_SID,
      authToken: 'made-up-token',
      apiBaseUrl: 'http://127.0.0.1:4010',
      publicUrl: 'https://concierge.example.test',
      smsFrom: '+15555550100',
      whatsappFrom: 'whatsapp:+15555550100',
      whatsappTemplateSid: 'HX0123456789abcdef0123456789abcdef',
    });
  });

  test('a malformed SID is refused with the setting named and the token never quoted', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_AUTH_TOKEN: 'secret-token-value',
      TWILIO_WHATSAPP_TEMPLATE_SID: 'nope',
    });
    expect(() => twilioSettingsFromConfig(config)).toThrow(
      /accountSid: must be AC followed by 32 hexadecimal digits.*whatsappTemplateSid/,
    );
    try {
      twilioSettingsFromConfig(config);
    } catch (error) {
      expect(String(error)).not.toContain('secret-token-value');
    }
  });
});

describe('WhatsApp window and addresses', () => {
  const now = new Date('2026-03-02T12:00:00Z');
  test('free-form within 24 h of the last inbound message only', () => {
    const whatsapp = { maxLength: 1600, quickReplies: false, phiAllowed: false, messagingWindowHours: 24 };
    expect(isWithinWindow(whatsapp, new Date('2026-03-01T12:00:01Z'), now)).toBe(true);
    expect(isWithinWindow(whatsapp, new Date('2026-03-01T12:00:00Z'), now)).toBe(false);
    expect(isWithinWindow(whatsapp, null, now)).toBe(false);
    expect(isWithinWindow({ ...whatsapp, messagingWindowHours: undefined }, null, now)).toBe(true);
  });

  test('whatsapp: prefix added once', () => {
    expect(withWhatsappPrefix('+15555550123')).toBe('whatsapp:+15555550123');
    expect(withWhatsappPrefix('whatsapp:+15555550123')).toBe('whatsapp:+15555550123');
  });
});
