/**
 * Every environment variable of DESIGN §5, parsed once into a frozen, typed object.
 * A wrong value stops start-up with a message naming the variable and what it expects.
 */
import path from 'node:path';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (protocols: string[]) =>
  optionalString.refine(
    (value) => value === undefined || isUrlWithProtocol(value, protocols),
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `PHI_KEYS`: comma-separated `keyId:base64key` pairs, 32-byte keys; the first is the active one. */
const phiKeysSchema = optionalString.refine(
  (value) =>
    value === undefined || value.split(',').every((pair) => /^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}$/.test(pair)),
  'must be comma-separated keyId:base64 pairs of 32-byte keys (e.g. k1:<openssl rand -base64 32>)',
);

/** `DIALOGFLOW_API_ENDPOINT`: `host`, `host:port` or `[::1]:port`. */
export const DIALOGFLOW_ENDPOINT_PATTERN = /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/i;

/** `DIALOGFLOW_CREDENTIALS`: a service-account key file's content, checked at start rather than at a first message. */
const serviceAccountKeySchema = optionalString.transform((value, context) => {
  if (value === undefined) return undefined;
  const key = z
    .object({ client_email: z.string().min(1), private_key: z.string().min(1) })
    .safeParse(parseJsonOrUndefined(value));
  if (key.success) return key.data;
  context.addIssue({ code: 'custom', message: 'must be a service-account key (JSON with client_email, private_key)' });
  return z.NEVER;
});

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * /healthz, /readyz and /metrics on a port of their own: the worker's only HTTP; on the web process it takes
   * /metrics off the public port, so an ingress never exposes it.
   */
  METRICS_PORT: optionalString
    .refine((value) => value === undefined || /^\d{1,5}$/.test(value), 'must be a port number')
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .refine((value) => value === undefined || value <= 65535, 'must be a port number'),
  /**
   * Which proxies in front of the web process to believe about the client's address (X-Forwarded-For), as Express's
   * `trust proxy`: a hop count (`1` behind one ingress), `true`, or addresses/CIDRs and names like `loopback`,
   * `uniquelocal`. Rate limits per client address depend on it.
   */
  TRUST_PROXY: optionalString.transform((value = 'loopback'): boolean | number | string =>
    /^\d+$/.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value,
  ),
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  DATA_DIR: z.string().trim().min(1).default('./.data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('public'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  QUEUE_PREFIX: z.string().trim().min(1).default('concierge'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Staff inbox: minutes without activity before a session ends (a warning shows a minute before). */
  STAFF_IDLE_MINUTES: z.coerce.number().min(2).max(120).default(15),
  PHI_KEYS: phiKeysSchema,
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_SMS_FROM: optionalString,
  TWILIO_WHATSAPP_FROM: optionalString,
  TWILIO_API_BASE_URL: optionalUrl(['http:', 'https:']),
  /** Approved WhatsApp template (Content SID, HX…) used outside the 24 h window. */
  TWILIO_WHATSAPP_TEMPLATE_SID: optionalString,
  META_APP_SECRET: optionalString,
  META_VERIFY_TOKEN: optionalString,
  META_PAGE_ACCESS_TOKEN: optionalString,
  META_GRAPH_BASE_URL: optionalUrl(['http:', 'https:']),
  NLU_PROVIDER: z.enum(['local', 'dialogflow']).default('local'),
  DIALOGFLOW_PROJECT_ID: optionalString,
  /** Where Dialogflow is reached (default its global endpoint); one on this machine is spoken to without TLS. */
  DIALOGFLOW_API_ENDPOINT: optionalString.refine(
    (value) => value === undefined || DIALOGFLOW_ENDPOINT_PATTERN.test(value),
    'must be host or host:port (e.g. europe-west1-dialogflow.googleapis.com or 127.0.0.1:8085)',
  ),
  DIALOGFLOW_CREDENTIALS: serviceAccountKeySchema,
  /** Per-request deadline: past it the turn is understood by the local engine. */
  DIALOGFLOW_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1500),
  /** How long the circuit breaker keeps Dialogflow out after it opened, before one trial request. */
  DIALOGFLOW_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  EMR_ADAPTER: z.enum(['demo', 'fhir', 'hl7v2']).default('demo'),
  FHIR_BASE_URL: optionalUrl(['http:', 'https:']),
  FHIR_CLIENT_ID: optionalString,
  FHIR_PRIVATE_KEY: optionalString,
  FHIR_TOKEN_URL: optionalUrl(['http:', 'https:']),
  /** EMR_ADAPTER=hl7v2: where the EHR's MLLP listener takes our SRM requests, `host:port`. */
  HL7V2_EHR_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  /** Our MLLP listener for the EHR's SIU feed (default 127.0.0.1:2575; 0.0.0.0 to accept other machines). */
  HL7V2_LISTEN_HOST: z.string().default('127.0.0.1'),
  HL7V2_LISTEN_PORT: z.coerce.number().int().min(0).max(65535).default(2575),
  /** Outgoing mail (verification codes by email), e.g. smtps://user:password@smtp.example.com:465. */
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  SMTP_FROM: optionalString,
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  /** Absolute path of DATA_DIR. */
  readonly dataDir: string;
  /** True when nothing production-like is configured: embedded database, dev outbox, seeded demo practice. */
  readonly demoMode: boolean;
  readonly publicUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (or a given record) into a frozen Config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  const raw = parsed.data;
  const problems = crossFieldProblems(raw);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    ...raw,
    dataDir: path.resolve(raw.DATA_DIR),
    demoMode: raw.NODE_ENV !== 'production',
    publicUrl: (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ''),
  });
}

function crossFieldProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  if (raw.NODE_ENV === 'production' && !raw.PHI_KEYS) {
    problems.push('PHI_KEYS: required when NODE_ENV=production (the embedded development key is not secret)');
  }
  if (raw.NODE_ENV === 'production' && !raw.DATABASE_URL) {
    problems.push('DATABASE_URL: required when NODE_ENV=production (the embedded database is for demos)');
  }
  if (raw.NLU_PROVIDER === 'dialogflow' && !raw.DIALOGFLOW_PROJECT_ID) {
    problems.push('DIALOGFLOW_PROJECT_ID: required when NLU_PROVIDER=dialogflow');
  }
  if (raw.META_PAGE_ACCESS_TOKEN && !raw.META_APP_SECRET) {
    problems.push(
      'META_APP_SECRET: required with META_PAGE_ACCESS_TOKEN (signs appsecret_proof and verifies webhooks)',
    );
  }
  if (Boolean(raw.META_APP_SECRET) !== Boolean(raw.META_VERIFY_TOKEN)) {
    problems.push('META_VERIFY_TOKEN and META_APP_SECRET: the Messenger webhook needs both');
  }
  if (raw.SMTP_URL && !raw.SMTP_FROM) {
    problems.push('SMTP_FROM: required with SMTP_URL (the sender address of verification-code emails)');
  }
  if (raw.EMR_ADAPTER === 'fhir' && !raw.FHIR_BASE_URL) {
    problems.push('FHIR_BASE_URL: required when EMR_ADAPTER=fhir');
  }
  if (raw.EMR_ADAPTER === 'hl7v2' && !raw.HL7V2_EHR_ADDRESS) {
    problems.push('HL7V2_EHR_ADDRESS: required when EMR_ADAPTER=hl7v2 (host:port of the EHR MLLP listener)');
  }
  if (raw.EMR_ADAPTER === 'hl7v2' && !raw.DATABASE_URL) {
    problems.push(
      'DATABASE_URL: required when EMR_ADAPTER=hl7v2 (its SIU feed is mirrored while turns hold the embedded database)',
    );
  }
  if (raw.FHIR_TOKEN_URL && (!raw.FHIR_CLIENT_ID || !raw.FHIR_PRIVATE_KEY)) {
    problems.push('FHIR_CLIENT_ID and FHIR_PRIVATE_KEY: required with FHIR_TOKEN_URL (SMART Backend Services sign-in)');
  }
  return problems;
}
