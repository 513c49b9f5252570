/**
 * The hl7v2 EmrAdapter against a fake EHR over real MLLP on loopback and the machine's PostgreSQL: booking is pending
 * until the EHR's SIU^S12 arrives; SIU S13/S15 move and cancel; retries reuse ids and answer from the mirror; the
 * EHR's rejections, silence and absence surface as results or EmrUnavailableError; garbage on our listener gets AE and
 * the listener carries on; and no patient name, phone, birth date or appointment time is stored in plaintext.
 */
import crypto from 'node:crypto';
import type { Hl7Message } from '@medplum/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Hl7v2Tables } from '../../../src/db/hl7v2-tables';
import { migrateToLatest } from '../../../src/db/migrate';
import { type DatabaseHandle, openDatabase } from '../../../src/db/open-database';
import type { BookingRequest, EmrAppointment } from '../../../src/emr/emr-adapter';
import { EmrUnavailableError } from '../../../src/emr/emr-errors';
import { createHl7v2Emr, type Hl7v2Emr } from '../../../src/emr/hl7v2/hl7v2-adapter';
import { KeyRing } from '../../../src/phi/key-ring';
import { FakeHl7v2Ehr, type SiuSpec, siuMessage } from '../../fakes/hl7v2-ehr';
import { findFreePort } from '../../support/free-port';
import {
  createTestEnvironment,
  TEST_DATABASE_URL,
  TEST_PHI_KEYS,
  type TestEnvironment,
} from '../../support/test-config';

const PRACTICE_ID = 'hl7v2-test-practice';
const TIME_ZONE = 'America/New_York';
/** A Monday (EDT); the visits below are later that week and the next. */
const FROM = new Date('2039-06-13T12:00:00Z');
const PHYSICAL_START = new Date('2039-06-15T14:30:00Z');
const PHYSICAL_END = new Date('2039-06-15T15:00:00Z');
const MOVED_START = new Date('2039-06-20T18:00:00Z');
const MOVED_END = new Date('2039-06-20T18:30:00Z');

const PATIENT = {
  id: 'ehr-patient-1001',
  family: 'Patient',
  given: 'Test',
  birthDate: '1980-04-02',
  phone: '+15555550123',
  email: 'test.patient@example.com',
} as const;
const PRACTITIONER = { id: 'ehr-pract-7', family: 'Alvarez', given: 'Maria', prefix: 'Dr.' } as const;
const LOCATION = { id: 'ehr-loc-main', name: 'Main Street Office' } as const;

let environment: TestEnvironment;
let database: DatabaseHandle;
let mirror: Kysely<Hl7v2Tables>;
let ehr: FakeHl7v2Ehr;
let emr: Hl7v2Emr;
const keyRing = new KeyRing(TEST_PHI_KEYS);

function adapterFor(ehrPort: number, ackTimeoutMs: number): Promise<Hl7v2Emr> {
  return createHl7v2Emr({
    db: mirror,
    practiceId: PRACTICE_ID,
    keyRing,
    ehr: { host: '127.0.0.1', port: ehrPort },
    listen: { port: 0 },
    ackTimeoutMs,
    timeZone: TIME_ZONE,
  });
}

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  database = await openDatabase(environment.config);
  await migrateToLatest(database.db, database.schema);
  await database.db
    .insertInto('practices')
    .values({ id: PRACTICE_ID, name: 'Test Practice', profile: JSON.stringify({}) })
    .execute();
  // The adapter sees only its own tables: a handle typed with them, on the same schema.
  const pool = new pg.Pool({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path=${database.schema}`,
    max: 4,
  });
  mirror = new Kysely<Hl7v2Tables>({ dialect: new PostgresDialect({ pool }) });
  ehr = await FakeHl7v2Ehr.start();
  emr = await adapterFor(ehr.port, 5_000);
});

afterAll(async () => {
  await emr?.close();
  await ehr?.close();
  await mirror?.destroy();
  await database?.close();
  await environment?.cleanup();
});

afterEach(() => ehr.answerWith('AA'));

function bookingRequest(idempotencyKey: string, start = PHYSICAL_START, end = PHYSICAL_END): BookingRequest {
  return {
    idempotencyKey,
    patientEmrId: PATIENT.id,
    visitType: 'annual-physical',
    slot: {
      emrId: '',
      start,
      end,
      practitionerEmrId: PRACTITIONER.id,
      practitionerName: 'Dr. Maria Alvarez',
      locationEmrId: LOCATION.id,
      locationName: LOCATION.name,
    },
  };
}

function siu(trigger: string, fillerId: string, overrides: Partial<SiuSpec> = {}): Hl7Message {
  return siuMessage({
    trigger,
    fillerId,
    start: PHYSICAL_START,
    end: PHYSICAL_END,
    fillerStatus: 'Booked',
    patient: PATIENT,
    service: { code: 'annual-physical', text: 'Annual physical' },
    practitioner: PRACTITIONER,
    location: LOCATION,
    ...overrides,
  });
}

/** MSA-1, MSA-2 and ERR-3.1 of an ACK. */
function ackOf(ack: Hl7Message): { code: string; acknowledges: string; error: string } {
  const acknowledgment = ack.getSegment('MSA');
  return {
    code: acknowledgment?.getComponent(1, 1) ?? '',
    acknowledges: acknowledgment?.getComponent(2, 1) ?? '',
    error: ack.getSegment('ERR')?.getComponent(3, 1) ?? '',
  };
}

function controlIdOf(message: Hl7Message): string {
  return message.getSegment('MSH')?.getComponent(10, 1) ?? '';
}

function physical(overrides: Partial<EmrAppointment> = {}): EmrAppointment {
  return {
    emrId: 'EHR-APPT-5001',
    patientEmrId: PATIENT.id,
    start: PHYSICAL_START,
    end: PHYSICAL_END,
    status: 'booked',
    visitType: 'Annual physical',
    practitionerName: 'Dr. Maria Alvarez',
    practitionerEmrId: PRACTITIONER.id,
    locationName: LOCATION.name,
    ...overrides,
  };
}

describe('a booking through the EHR’s SRM/SIU interface', () => {
  const bookingKey = `booking-${crypto.randomUUID()}`;
  let cursor: string;

  test('book sends SRM^S01 under our placer id; the EHR’s AA makes it pending, with no appointment yet', async () => {
    expect(emr.capabilities).toEqual({ slotSearch: false, hold: false, bookingConfirmation: 'deferred' });
    expect(await emr.findSlots({ from: FROM, to: MOVED_END, limit: 5 })).toEqual([]);
    expect(await emr.book(bookingRequest(bookingKey))).toEqual({ status: 'pending' });

    expect(ehr.received).toHaveLength(1);
    const [request] = ehr.received;
    expect(request).toMatchObject({ messageType: 'SRM^S01', placerId: bookingKey, fillerId: '' });
    const arq = request!.message.getSegment('ARQ')!;
    expect(arq.getComponent(8, 1)).toBe('annual-physical');
    expect([arq.getComponent(9, 1), arq.getComponent(10, 1)]).toEqual(['30', 'min']);
    expect([arq.getComponent(11, 1), arq.getComponent(11, 2)]).toEqual(['20390615143000+0000', '20390615150000+0000']);
    expect(request!.message.getSegment('PID')!.getComponent(3, 1)).toBe(PATIENT.id);
    const aip = request!.message.getSegment('AIP')!;
    expect([1, 2, 3, 6].map((component) => aip.getComponent(3, component))).toEqual([
      PRACTITIONER.id,
      'Alvarez',
      'Maria',
      'Dr.',
    ]);
    const ail = request!.message.getSegment('AIL')!;
    expect([ail.getComponent(3, 1), ail.getComponent(3, 9)]).toEqual([LOCATION.id, LOCATION.name]);

    expect(await emr.changes()).toEqual({ appointments: [], cursor: '0' });
    expect(await emr.listUpcoming(PATIENT.id, FROM)).toEqual([]);
  });

  test('the EHR’s SIU^S12 for that placer id is acknowledged and applied; a retry of the booking answers booked', async () => {
    const message = siu('S12', 'EHR-APPT-5001', { placerId: bookingKey });
    expect(ackOf(await ehr.sendTo(emr.listenPort, message))).toEqual({
      code: 'AA',
      acknowledges: controlIdOf(message),
      error: '',
    });

    expect(await emr.getAppointment('EHR-APPT-5001')).toEqual(physical());
    expect(await emr.listUpcoming(PATIENT.id, FROM)).toEqual([physical()]);
    const changes = await emr.changes();
    expect(changes.appointments).toEqual([physical()]);
    cursor = changes.cursor;
    expect(await emr.changes(cursor)).toEqual({ appointments: [], cursor });

    expect(await emr.book(bookingRequest(bookingKey))).toEqual({ status: 'booked', appointment: physical() });
    expect(ehr.received).toHaveLength(1);
  });

  test('the PID of the feed makes the patient findable by phone, birth date and whole name', async () => {
    const patient = {
      emrId: PATIENT.id,
      given: 'Test',
      family: 'Patient',
      birthDate: '1980-04-02',
      phone: PATIENT.phone,
      email: PATIENT.email,
    };
    expect(await emr.matchPatient({ phone: PATIENT.phone })).toEqual([patient]);
    expect(await emr.matchPatient({ phone: PATIENT.phone, birthDate: '1980-04-02' })).toEqual([patient]);
    expect(await emr.matchPatient({ phone: PATIENT.phone, birthDate: '1980-04-03' })).toEqual([]);
    expect(await emr.matchPatient({ family: 'PATIENT', given: 'test' })).toEqual([patient]);
    expect(await emr.matchPatient({ family: 'Pat' })).toEqual([]);
    await expect(emr.matchPatient({})).rejects.toThrow('patient criteria are empty');
    expect(await emr.listPatients()).toEqual([patient]);
  });

  test('the same SIU again (the EHR missed our ACK) is acknowledged and changes nothing', async () => {
    const again = siu('S12', 'EHR-APPT-5001', { placerId: bookingKey });
    expect(ackOf(await ehr.sendTo(emr.listenPort, again)).code).toBe('AA');
    expect(await emr.changes(cursor)).toEqual({ appointments: [], cursor });
  });

  test('reschedule sends SRM^S02 naming the EHR’s appointment; its SIU^S13 (TQ1, local time) moves it', async () => {
    const rescheduleKey = `reschedule-${crypto.randomUUID()}`;
    const request = bookingRequest(rescheduleKey, MOVED_START, MOVED_END);
    expect(await emr.reschedule('EHR-APPT-5001', request)).toEqual({
      status: 'pending',
      appointmentEmrId: 'EHR-APPT-5001',
    });
    const sent = ehr.received.at(-1)!;
    expect(sent).toMatchObject({ messageType: 'SRM^S02', placerId: bookingKey, fillerId: 'EHR-APPT-5001' });
    expect(sent.message.getSegment('ARQ')!.getComponent(11, 1)).toBe('20390620180000+0000');

    const moved = siu('S13', 'EHR-APPT-5001', {
      placerId: bookingKey,
      start: MOVED_START,
      end: MOVED_END,
      timingIn: 'TQ1',
      omitOffset: true,
    });
    expect(ackOf(await ehr.sendTo(emr.listenPort, moved)).code).toBe('AA');
    const expected = physical({ start: MOVED_START, end: MOVED_END });
    expect(await emr.getAppointment('EHR-APPT-5001')).toEqual(expected);
    const changes = await emr.changes(cursor);
    expect(changes.appointments).toEqual([expected]);
    expect(Number(changes.cursor)).toBeGreaterThan(Number(cursor));
    cursor = changes.cursor;

    const sentBefore = ehr.received.length;
    expect(await emr.reschedule('EHR-APPT-5001', request)).toEqual({ status: 'booked', appointment: expected });
    expect(ehr.received).toHaveLength(sentBefore);
  });

  test('cancel sends SRM^S04; the SIU^S15 cancels it, it leaves listUpcoming, and changes reports it', async () => {
    const cancelKey = `cancel-${crypto.randomUUID()}`;
    expect(await emr.cancel('EHR-APPT-5001', { idempotencyKey: cancelKey, reason: 'patient-request' })).toEqual({
      status: 'pending',
    });
    const sent = ehr.received.at(-1)!;
    expect(sent).toMatchObject({ messageType: 'SRM^S04', placerId: bookingKey, fillerId: 'EHR-APPT-5001' });
    expect(sent.message.getSegment('ARQ')!.getComponent(6, 1)).toBe('patient-request');

    const cancelled = siu('S15', 'EHR-APPT-5001', {
      placerId: bookingKey,
      start: MOVED_START,
      end: MOVED_END,
      fillerStatus: 'Cancelled',
    });
    expect(ackOf(await ehr.sendTo(emr.listenPort, cancelled)).code).toBe('AA');
    const expected = physical({ start: MOVED_START, end: MOVED_END, status: 'cancelled' });
    expect(await emr.getAppointment('EHR-APPT-5001')).toEqual(expected);
    expect(await emr.listUpcoming(PATIENT.id, FROM)).toEqual([]);
    const changes = await emr.changes(cursor);
    expect(changes.appointments).toEqual([expected]);

    const sentBefore = ehr.received.length;
    expect(await emr.cancel('EHR-APPT-5001', { idempotencyKey: cancelKey, reason: 'patient-request' })).toEqual({
      status: 'cancelled',
    });
    expect(await emr.book(bookingRequest(bookingKey))).toEqual({ status: 'rejected', reason: 'cancelled' });
    expect(ehr.received).toHaveLength(sentBefore);
  });

  test('an appointment booked at the front desk (no placer id) arrives by SIU^S12 and then an S17 deletes it', async () => {
    const booked = siu('S12', 'EHR-APPT-5002', { start: MOVED_START, end: MOVED_END, fillerStatus: 'Booked' });
    expect(ackOf(await ehr.sendTo(emr.listenPort, booked)).code).toBe('AA');
    expect(await emr.listUpcoming(PATIENT.id, FROM)).toEqual([
      physical({ emrId: 'EHR-APPT-5002', start: MOVED_START, end: MOVED_END }),
    ]);
    expect(
      ackOf(await ehr.sendTo(emr.listenPort, siu('S17', 'EHR-APPT-5002', { start: MOVED_START, end: MOVED_END }))).code,
    ).toBe('AA');
    expect((await emr.getAppointment('EHR-APPT-5002'))?.status).toBe('entered-in-error');
    expect(await emr.listUpcoming(PATIENT.id, FROM)).toEqual([]);
    // A cancellation of an appointment we never saw, with nothing to say who or when, is acknowledged and ignored.
    const unknown = [
      'MSH|^~\\&|FAKE-EHR|FAKE-HOSPITAL|CLINIC-CONCIERGE|TEST-PRACTICE|20390613080000-0400||SIU^S15^SIU_S12|EHR-MINIMAL-1|P|2.5',
      'SCH||EHR-APPT-UNSEEN^FAKE-EHR',
    ].join('\r');
    expect(ackOf(await ehr.sendTo(emr.listenPort, unknown)).code).toBe('AA');
    expect(await emr.getAppointment('EHR-APPT-UNSEEN')).toBeUndefined();
  });
});

describe('requests the EHR refuses, drops or cannot take', () => {
  test('the same idempotency key sent twice reuses the placer id and the message control id', async () => {
    const key = `booking-${crypto.randomUUID()}`;
    const sentBefore = ehr.received.length;
    expect(await emr.book(bookingRequest(key))).toEqual({ status: 'pending' });
    expect(await emr.book(bookingRequest(key))).toEqual({ status: 'pending' });
    const [first, second] = ehr.received.slice(sentBefore);
    expect(second!.placerId).toBe(key);
    expect(second!.controlId).toBe(first!.controlId);
    expect(second!.message.toString()).toBe(first!.message.toString());
    await expect(emr.cancel('EHR-APPT-9999', { idempotencyKey: key, reason: 'patient-request' })).rejects.toThrow(
      'idempotency key was used for another EMR request',
    );
  });

  test('AR from the EHR rejects the booking with its code, and AE with the ERR code it gave', async () => {
    ehr.answerWith('AR');
    expect(await emr.book(bookingRequest(`booking-${crypto.randomUUID()}`))).toEqual({
      status: 'rejected',
      reason: 'AR',
    });
    ehr.answerWith('AE', '207');
    expect(await emr.book(bookingRequest(`booking-${crypto.randomUUID()}`))).toEqual({
      status: 'rejected',
      reason: '207',
    });
  });

  test('no ACK in time is EmrUnavailableError timeout; the next request goes through on a new connection', async () => {
    const impatient = await adapterFor(ehr.port, 300);
    try {
      ehr.answerWith('none');
      const key = `booking-${crypto.randomUUID()}`;
      const error = await impatient.book(bookingRequest(key)).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(EmrUnavailableError);
      expect(error).toMatchObject({ operation: 'book', reason: 'timeout' });
      ehr.answerWith('AA');
      expect(await impatient.book(bookingRequest(key))).toEqual({ status: 'pending' });
    } finally {
      await impatient.close();
    }
  });

  test('an EHR that is not listening is EmrUnavailableError unreachable', async () => {
    const nobody = await adapterFor(await findFreePort(), 2_000);
    try {
      const error = await nobody
        .cancel('EHR-APPT-5003', { idempotencyKey: `cancel-${crypto.randomUUID()}`, reason: 'patient-request' })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(EmrUnavailableError);
      expect(error).toMatchObject({ operation: 'cancel', reason: 'unreachable' });
    } finally {
      await nobody.close();
    }
  });
});

describe('our listener', () => {
  test('answers garbage with AE, other message types and events with AR, incomplete SIUs with AE, and keeps serving', async () => {
    const garbage = await ehr.sendRawTo(emr.listenPort, Buffer.from('this is not HL7 at all', 'utf8'));
    expect(garbage).toMatch(/^MSH\|/);
    expect(garbage).toMatch(/\rMSA\|AE(\||\r|$)/);
    expect(garbage).toContain('ERR|||100^');

    const admission = siu('S12', 'EHR-APPT-5003').toString().replace('SIU^S12^SIU_S12', 'ADT^A01^ADT_A01');
    expect(ackOf(await ehr.sendTo(emr.listenPort, admission))).toMatchObject({ code: 'AR', error: '200' });
    const noShow = siu('S26', 'EHR-APPT-5003');
    expect(ackOf(await ehr.sendTo(emr.listenPort, noShow))).toMatchObject({ code: 'AR', error: '201' });
    const withoutFillerId = siu('S12', 'EHR-APPT-5003').toString().replace('|EHR-APPT-5003^FAKE-EHR|', '||');
    expect(ackOf(await ehr.sendTo(emr.listenPort, withoutFillerId))).toMatchObject({ code: 'AE', error: '101' });
    const badTime = siu('S12', 'EHR-APPT-5003')
      .toString()
      .replace(/\^\^30\^\d{14}/, '^^30^20261399');
    expect(ackOf(await ehr.sendTo(emr.listenPort, badTime))).toMatchObject({ code: 'AE', error: '102' });

    const valid = siu('S12', 'EHR-APPT-5003', { start: MOVED_START, end: MOVED_END });
    expect(ackOf(await ehr.sendTo(emr.listenPort, valid))).toEqual({
      code: 'AA',
      acknowledges: controlIdOf(valid),
      error: '',
    });
    expect((await emr.getAppointment('EHR-APPT-5003'))?.start).toEqual(MOVED_START);
  });
});

test('no name, phone, birth date or appointment time of the feed is stored in plaintext', async () => {
  const tables = ['hl7v2_appointments', 'hl7v2_patients', 'hl7v2_outgoing_requests'];
  const rows: string[] = [];
  for (const table of tables) {
    const result = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(mirror);
    rows.push(...result.rows.map((row) => row.row));
  }
  expect(rows.length).toBeGreaterThan(5);
  const dump = rows.join('\n');
  const canaries = [
    PATIENT.family,
    PATIENT.given,
    PATIENT.phone,
    '5555550123',
    PATIENT.birthDate,
    '19800402',
    PATIENT.email,
    PRACTITIONER.family,
    'Main Street',
    'Annual physical',
    '2039-06-15',
    '20390615',
    '2039-06-20',
    '20390620',
  ];
  expect(canaries.filter((canary) => dump.includes(canary))).toEqual([]);
});
