import { ConfigError, loadConfig } from '../../../src/config';

test('defaults give a demo configuration on port 3000 with embedded storage', () => {
  const config = loadConfig({});
  expect(config.PORT).toBe(3000);
  expect(config.demoMode).toBe(true);
  expect(config.DATABASE_URL).toBeUndefined();
  expect(config.dataDir).toMatch(/\.data$/);
  expect(config.publicUrl).toBe('http://localhost:3000');
  expect(Object.isFrozen(config)).toBe(true);
});

test('a wrong value names the variable and what is expected', () => {
  expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
  expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT:/);
  expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
    /DATABASE_URL: must be a URL starting with postgres:/,
  );
  expect(() => loadConfig({ NLU_PROVIDER: 'watson' })).toThrow(/NLU_PROVIDER/);
  expect(() => loadConfig({ PHI_KEYS: 'short' })).toThrow(/PHI_KEYS: must be comma-separated keyId:base64/);
});

test('every problem is reported at once, including cross-field rules', () => {
  try {
    loadConfig({ NODE_ENV: 'production' });
    throw new Error('expected a ConfigError');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^PHI_KEYS: required/),
      expect.stringMatching(/^DATABASE_URL: required/),
    ]);
  }
});

test('empty strings count as unset', () => {
  expect(loadConfig({ REDIS_URL: '', TWILIO_AUTH_TOKEN: '' }).REDIS_URL).toBeUndefined();
});

test('email needs both SMTP_URL (smtp: or smtps:) and SMTP_FROM', () => {
  expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(/SMTP_FROM: required with SMTP_URL/);
  expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com', SMTP_FROM: 'a@example.com' })).toThrow(/SMTP_URL/);
  expect(loadConfig({ SMTP_URL: 'smtps://mail.example.com:465', SMTP_FROM: 'codes@example.com' })).toMatchObject({
    SMTP_FROM: 'codes@example.com',
  });
});

test('the EMR adapters name what they need: FHIR a server (and sign-in keys with a token URL), HL7 v2 an EHR address and PostgreSQL', () => {
  expect(() => loadConfig({ EMR_ADAPTER: 'fhir' })).toThrow(/FHIR_BASE_URL: required when EMR_ADAPTER=fhir/);
  expect(() => loadConfig({ FHIR_TOKEN_URL: 'https://ehr.example.com/token' })).toThrow(
    /FHIR_CLIENT_ID and FHIR_PRIVATE_KEY: required with FHIR_TOKEN_URL/,
  );
  expect(() => loadConfig({ EMR_ADAPTER: 'hl7v2', DATABASE_URL: 'postgres://127.0.0.1/x' })).toThrow(
    /HL7V2_EHR_ADDRESS: required when EMR_ADAPTER=hl7v2/,
  );
  expect(() => loadConfig({ EMR_ADAPTER: 'hl7v2', HL7V2_EHR_ADDRESS: 'ehr.example.com:2575' })).toThrow(
    /DATABASE_URL: required when EMR_ADAPTER=hl7v2/,
  );
  expect(() => loadConfig({ HL7V2_EHR_ADDRESS: 'ehr.example.com' })).toThrow(/HL7V2_EHR_ADDRESS: must be host:port/);
  const hl7 = loadConfig({
    EMR_ADAPTER: 'hl7v2',
    HL7V2_EHR_ADDRESS: 'ehr.example.com:2575',
    DATABASE_URL: 'postgres://127.0.0.1/x',
  });
  expect([hl7.HL7V2_LISTEN_HOST, hl7.HL7V2_LISTEN_PORT]).toEqual(['127.0.0.1', 2575]);
});
