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

test('Dialogflow needs a project; its endpoint is host[:port], its key a service-account JSON, checked at start', () => {
  const dialogflow = { NLU_PROVIDER: 'dialogflow', DIALOGFLOW_PROJECT_ID: 'clinic-agent' };
  expect(() => loadConfig({ NLU_PROVIDER: 'dialogflow' })).toThrow(/DIALOGFLOW_PROJECT_ID: required/);
  expect(loadConfig(dialogflow)).toMatchObject({ DIALOGFLOW_TIMEOUT_MS: 1500, DIALOGFLOW_BREAKER_RESET_MS: 30_000 });
  expect(loadConfig({ ...dialogflow, DIALOGFLOW_API_ENDPOINT: '127.0.0.1:8085' }).DIALOGFLOW_API_ENDPOINT).toBe(
    '127.0.0.1:8085',
  );
  expect(() => loadConfig({ ...dialogflow, DIALOGFLOW_API_ENDPOINT: 'https://dialogflow.googleapis.com' })).toThrow(
    /DIALOGFLOW_API_ENDPOINT: must be host or host:port/,
  );
  expect(() => loadConfig({ ...dialogflow, DIALOGFLOW_CREDENTIALS: '{"client_email": "x@example.com"' })).toThrow(
    /DIALOGFLOW_CREDENTIALS: must be a service-account key/,
  );
  const key = { type: 'service_account', client_email: 'bot@clinic-agent.iam.example', private_key: 'made-up' };
  expect(loadConfig({ ...dialogflow, DIALOGFLOW_CREDENTIALS: JSON.stringify(key) }).DIALOGFLOW_CREDENTIALS).toEqual({
    client_email: key.client_email,
    private_key: key.private_key,
  });
});

test('METRICS_PORT is a port or unset; TRUST_PROXY is a hop count, true/false, or addresses (default loopback)', () => {
  expect(loadConfig({}).METRICS_PORT).toBeUndefined();
  expect(loadConfig({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
  expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
  expect(() => loadConfig({ METRICS_PORT: 'metrics' })).toThrow(/METRICS_PORT: must be a port number/);
  expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: must be a port number/);
  expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
  expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
  expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
});
