/**
 * The one-time codes that carry a patient from the secure page into a verified web chat, on the embedded database:
 * a code opens a web chat whose contact is verified as the patient (audited), once, within 10 minutes, for its own
 * practice only; anything else opens nothing.
 */
import crypto from 'node:crypto';
import { ConversationRepository } from '../../../src/conversation/conversation-repository';
import { PatientDirectory } from '../../../src/identity/patient-directory';
import { HANDOFF_TTL_MS, VerifiedChatHandoffs } from '../../../src/identity/verified-chat-handoffs';
import { DEMO_PRACTICE_ID } from '../../../src/practice/demo-practice';
import { SecurePageHarness } from './secure-page-harness';

const PATIENT = { given: 'Test', family: 'Patient', birthDate: '1980-04-02', phone: '+15555550123' };

let harness: SecurePageHarness;
let handoffs: VerifiedChatHandoffs;
let directory: PatientDirectory;
let patientId: string;
let linkId: string;

beforeAll(async () => {
  harness = await SecurePageHarness.start({ kind: 'pglite' });
  directory = new PatientDirectory(harness.keyRing);
  handoffs = new VerifiedChatHandoffs({
    keyRing: harness.keyRing,
    audit: harness.audit,
    directory,
    repository: new ConversationRepository(harness.keyRing),
    now: harness.clock.now,
  });
  patientId = await harness.seedPatient(PATIENT);
  linkId = (await harness.linkFor(PATIENT.phone)).id;
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const newCode = () => handoffs.issue(harness.db, { practiceId: DEMO_PRACTICE_ID, linkId, patientId, language: 'es' });

test('a code opens a verified web chat for a new visitor, once', async () => {
  const code = await newCode();
  const visitorId = crypto.randomUUID();
  const conversation = await handoffs.start(harness.db, DEMO_PRACTICE_ID, code, visitorId);
  expect(conversation).toMatchObject({ channel: 'webchat', language: 'es' });
  expect(await directory.verifiedContact(harness.db, conversation!.contact_id)).toMatchObject({ patientId });
  const audited = await harness.db
    .selectFrom('audit_events')
    .select(['action', 'patient_ref', 'details'])
    .where('action', '=', 'identity.contact_verified')
    .execute();
  expect(audited).toEqual([expect.objectContaining({ patient_ref: `patient:${patientId}` })]);
  expect(JSON.stringify(audited)).toContain('secure_page_chat');

  expect(await handoffs.start(harness.db, DEMO_PRACTICE_ID, code, crypto.randomUUID())).toBeUndefined();
});

test('an expired, foreign-practice, unknown or malformed code opens nothing', async () => {
  const expired = await newCode();
  harness.clock.advance(HANDOFF_TTL_MS + 1);
  expect(await handoffs.start(harness.db, DEMO_PRACTICE_ID, expired, crypto.randomUUID())).toBeUndefined();

  const fresh = await newCode();
  expect(await handoffs.start(harness.db, 'another-practice', fresh, crypto.randomUUID())).toBeUndefined();
  expect(
    await handoffs.start(
      harness.db,
      DEMO_PRACTICE_ID,
      crypto.randomBytes(32).toString('base64url'),
      crypto.randomUUID(),
    ),
  ).toBeUndefined();
  expect(await handoffs.start(harness.db, DEMO_PRACTICE_ID, "' or 1=1 --", crypto.randomUUID())).toBeUndefined();

  const contactsBefore = await harness.db
    .selectFrom('contacts')
    .select('id')
    .where('channel', '=', 'webchat')
    .execute();
  expect(contactsBefore).toHaveLength(1); // only the first test's visitor: refused codes create nobody
  expect(await handoffs.start(harness.db, DEMO_PRACTICE_ID, fresh, crypto.randomUUID())).toBeDefined();
});
