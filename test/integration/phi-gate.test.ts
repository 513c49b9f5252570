/**
 * The PHI gate and the patients behind it: demo patients are found by phone and date of birth only (a family shares
 * a phone), likely duplicates are flagged; a PHI draft leaves only where the practice's policy, the contact's
 * verification and the consent ledger allow, otherwise it becomes a secure-link offer (and, on SMS, the consent
 * question is asked once); a sender refuses anything the gate did not release.
 */
import { type Kysely, sql } from 'kysely';
import type { OutboundToSend } from '../../src/channels/channel-sender';
import { DevOutboxSender } from '../../src/channels/dev-outbox/dev-outbox-sender';
import { type PhiServices, createPhiServices } from '../../src/consent/phi-services';
import { GateBypassError } from '../../src/consent/phi-gate';
import { ConversationRepository } from '../../src/conversation/conversation-repository';
import type { OutboundDraft } from '../../src/conversation/outbound-draft';
import type { DatabaseHandle } from '../../src/db/open-database';
import { prepareDatabase } from '../../src/db/prepare-database';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/observability/logger';
import { loadKeyRing } from '../../src/phi/dev-key-ring';
import type { KeyRing } from '../../src/phi/key-ring';
import { DEMO_PRACTICE_ID } from '../../src/practice/demo-practice';
import { type TestEnvironment, createTestEnvironment } from '../support/test-config';

const FAMILY_PHONE = '+15555550123';
let environment: TestEnvironment;
let handle: DatabaseHandle;
let db: Kysely<Database>;
let keyRing: KeyRing;
let phi: PhiServices;
let repository: ConversationRepository;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  handle = await prepareDatabase(environment.config, createLogger('silent'));
  db = handle.db;
  keyRing = loadKeyRing(environment.config.PHI_KEYS, environment.config.dataDir);
  phi = createPhiServices(environment.config, keyRing);
  repository = new ConversationRepository(keyRing);
}, 60_000);

afterAll(async () => {
  await handle?.close();
  await environment?.cleanup();
});

async function conversationOn(channel: 'sms' | 'whatsapp' | 'messenger' | 'webchat', address: string) {
  const contactId = await repository.findOrCreateContact(db, DEMO_PRACTICE_ID, channel, address);
  return repository.findOrCreateOpenConversation(db, DEMO_PRACTICE_ID, contactId, channel, undefined);
}

async function patientId(birthDate: string): Promise<string> {
  const patient = await phi.directory.findByPhoneAndBirthDate(db, DEMO_PRACTICE_ID, FAMILY_PHONE, birthDate);
  if (!patient) throw new Error(`no demo patient born ${birthDate}`);
  return patient.id;
}

const phiDraft = (patient: string | null): OutboundDraft => ({
  text: 'Your next appointment: Annual physical with Dr. Maria Alvarez.',
  quickReplies: [],
  classification: 'phi',
  phi: { topic: 'appointments', patientId: patient },
});

async function setPolicy(channel: string, rule: string): Promise<void> {
  await sql`update practices set profile = jsonb_set(profile, ${sql.lit(`{phiPolicy,${channel}}`)}, ${JSON.stringify(rule)}::jsonb)`.execute(
    db,
  );
}

describe('patients', () => {
  test('a family phone names nobody by itself: the date of birth picks the patient', async () => {
    const parent = await phi.directory.findByPhoneAndBirthDate(db, DEMO_PRACTICE_ID, FAMILY_PHONE, '1980-04-02');
    const child = await phi.directory.findByPhoneAndBirthDate(db, DEMO_PRACTICE_ID, FAMILY_PHONE, '2014-09-17');
    expect(parent).toMatchObject({ given: 'Test', family: 'Patient', phone: FAMILY_PHONE });
    expect(child).toMatchObject({ given: 'Junior', family: 'Patient' });
    expect(
      await phi.directory.findByPhoneAndBirthDate(db, DEMO_PRACTICE_ID, FAMILY_PHONE, '1980-04-03'),
    ).toBeUndefined();
    expect(
      await phi.directory.findByPhoneAndBirthDate(db, DEMO_PRACTICE_ID, '+15555550999', '1980-04-02'),
    ).toBeUndefined();
  });

  test('demographics are stored encrypted and looked up by blind index only', async () => {
    const rows = await sql<Record<string, unknown>>`select * from patients`.execute(db);
    expect(rows.rows.length).toBe(5);
    const dump = JSON.stringify(rows.rows);
    for (const plaintext of ['Test', 'Patient', '1980-04-02', FAMILY_PHONE, '5555550123'])
      expect(dump).not.toContain(plaintext);
  });

  test('two records with the same name and date of birth are flagged for staff, not merged', async () => {
    const flags = await phi.directory.openDuplicateFlags(db, DEMO_PRACTICE_ID);
    expect(flags).toHaveLength(1);
    const [first, second] = await Promise.all([
      phi.directory.get(db, flags[0]!.patientId),
      phi.directory.get(db, flags[0]!.otherPatientId),
    ]);
    expect([first?.given, first?.family, first?.birthDate]).toEqual([second?.given, second?.family, second?.birthDate]);
    expect(first?.emrId).not.toBe(second?.emrId);
  });
});

describe('the gate', () => {
  test('SMS, unverified, never asked: a secure link and the consent question, recorded as requested; asked only once', async () => {
    const conversation = await conversationOn('sms', '+15555550401');
    const first = await db
      .transaction()
      .execute((trx) => phi.gate.pass(trx, conversation, [phiDraft(null)], { lang: 'en', inboundMessageId: null }));
    expect(first.askedConsent).toBe(true);
    expect(first.drafts.map((draft) => draft.classification)).toEqual(['none', 'none']);
    expect(first.drafts[0]!.text).toMatch(/^I can show you that on a secure page: http:\/\/\S+\/s\/[A-Za-z0-9_-]{43} /);
    expect(first.drafts[1]!.text).toMatch(/not secure.*Reply YES.*STOP/s);
    expect(first.drafts.map((draft) => draft.text).join(' ')).not.toContain('Annual physical');
    const requested = await phi.consent.latestEvidence(db, conversation.contact_id, 'sms', 'phi_messages', 'requested');
    expect(requested?.wording).toBe(first.drafts[1]!.text);

    const second = await db
      .transaction()
      .execute((trx) => phi.gate.pass(trx, conversation, [phiDraft(null)], { lang: 'es', inboundMessageId: null }));
    expect(second.askedConsent).toBe(false);
    expect(second.drafts).toHaveLength(1);
    expect(second.drafts[0]!.text).toMatch(/^Puedo mostrarle esa información en una página segura: /);
  });

  test('SMS: PHI goes only to the verified patient with consent granted; revoked consent holds it back at send time', async () => {
    const conversation = await conversationOn('sms', FAMILY_PHONE);
    const parent = await patientId('1980-04-02');
    const record = (action: 'granted' | 'revoked') =>
      phi.consent.record(db, {
        practiceId: DEMO_PRACTICE_ID,
        contactId: conversation.contact_id,
        channel: 'sms',
        purpose: 'phi_messages',
        action,
        source: 'patient_reply',
        actor: 'test',
        evidence: {},
      });
    const pass = (patient: string | null) =>
      db
        .transaction()
        .execute((trx) =>
          phi.gate.pass(trx, conversation, [phiDraft(patient)], { lang: 'en', inboundMessageId: null }),
        );

    await record('granted');
    expect((await pass(parent)).drafts[0]!.classification).toBe('none'); // consent alone is not enough: not verified
    await phi.directory.markVerified(db, conversation.contact_id, parent, new Date());
    expect((await pass(parent)).drafts[0]).toMatchObject({
      classification: 'phi',
      text: expect.stringContaining('Annual physical'),
    });
    // The family's other member is not who this contact proved to be.
    expect((await pass(await patientId('2014-09-17'))).drafts[0]!.classification).toBe('none');

    const message: OutboundToSend = {
      outboundMessageId: 1,
      conversationId: conversation.id,
      channel: 'sms',
      seq: 1,
      recipient: FAMILY_PHONE,
      text: 'PHI',
      quickReplies: [],
      author: 'bot',
      lang: 'en',
      lastInboundAt: null,
    };
    const row = { classification: 'phi' as const, practiceId: DEMO_PRACTICE_ID, contactId: conversation.contact_id };
    expect(await phi.gate.release(db, message, row)).toBeDefined();
    await record('revoked');
    expect(await phi.gate.release(db, message, row)).toBeUndefined();
    expect(await phi.gate.release(db, message, { ...row, classification: 'none' })).toBeDefined();
    const audited = await db.selectFrom('audit_events').select('action').where('action', 'like', 'phi.%').execute();
    expect(audited.map((event) => event.action)).toEqual(expect.arrayContaining(['phi.withheld', 'phi.disclosed']));
  });

  test('WhatsApp and Messenger never carry PHI, whatever the ledger says, until the practice changes its policy', async () => {
    const parent = await patientId('1980-04-02');
    for (const [channel, address] of [
      ['whatsapp', `whatsapp:${FAMILY_PHONE}`],
      ['messenger', 'PSID-5550123'],
    ] as const) {
      const conversation = await conversationOn(channel, address);
      await phi.directory.markVerified(db, conversation.contact_id, parent, new Date());
      await phi.consent.record(db, {
        practiceId: DEMO_PRACTICE_ID,
        contactId: conversation.contact_id,
        channel,
        purpose: 'phi_messages',
        action: 'granted',
        source: 'staff',
        actor: 'staff:test',
        evidence: { note: 'asked in person' },
      });
      const pass = () =>
        db
          .transaction()
          .execute((trx) =>
            phi.gate.pass(trx, conversation, [phiDraft(parent)], { lang: 'en', inboundMessageId: null }),
          );
      const blocked = await pass();
      expect(blocked.askedConsent).toBe(false);
      expect(blocked.drafts[0]!.text).toContain('/s/');
      await setPolicy(channel, 'consent_and_verification');
      expect((await pass()).drafts[0]!.classification).toBe('phi');
      await setPolicy(channel, 'never');
    }
  });

  test('web chat: allowed after verification, no consent question', async () => {
    const conversation = await conversationOn('webchat', 'visitor-phi-test');
    const parent = await patientId('1980-04-02');
    const pass = () =>
      db
        .transaction()
        .execute((trx) => phi.gate.pass(trx, conversation, [phiDraft(parent)], { lang: 'en', inboundMessageId: null }));
    expect(await pass()).toMatchObject({
      askedConsent: false,
      drafts: [expect.objectContaining({ classification: 'none' })],
    });
    await phi.directory.markVerified(db, conversation.contact_id, parent, new Date());
    expect((await pass()).drafts[0]!.classification).toBe('phi');
  });

  test('only one secure link is active per conversation', async () => {
    const conversation = await conversationOn('sms', '+15555550402');
    for (let turn = 0; turn < 3; turn++) {
      await db
        .transaction()
        .execute((trx) => phi.gate.pass(trx, conversation, [phiDraft(null)], { lang: 'en', inboundMessageId: null }));
    }
    const active = await db
      .selectFrom('secure_links')
      .select('id')
      .where('conversation_id', '=', conversation.id)
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(1);
  });
});

describe('senders take only what the gate released', () => {
  const plain: OutboundToSend = {
    outboundMessageId: 7,
    conversationId: 'c',
    channel: 'sms',
    seq: 1,
    recipient: '+15555550403',
    text: 'hello',
    quickReplies: [],
    author: 'bot',
    lang: 'en',
    lastInboundAt: null,
  };

  test('a message that did not pass the gate is refused at run time (and does not type-check)', async () => {
    const sender = new DevOutboxSender('sms');
    // @ts-expect-error: OutboundToSend is not a GatedMessage; only PhiGate.release makes one.
    await expect(sender.send(plain)).rejects.toThrow(GateBypassError);
    // A copy of a released message is not released either: the gate's mark is on the object it released.
    const releasedCopy = { ...phi.gate.releaseWithoutPhi(plain) };
    await expect(sender.send(releasedCopy)).rejects.toThrow(GateBypassError);
    await expect(sender.send(phi.gate.releaseWithoutPhi(plain))).resolves.toMatchObject({ status: 'delivered' });
  });
});
