/**
 * Issue 5's acceptance for changes made in the EMR, with EMR_ADAPTER=hl7v2 over real MLLP on loopback: a visit the
 * EHR books (SIU^S12) for a patient who talks to us by SMS gets its 48 h and 2 h reminders; the EHR's SIU^S15
 * cancelling it drops those reminders and tells the patient.
 */
import type { Queue } from 'bullmq';
import { DEMO_PATIENT_IDS, DEMO_PRACTITIONER_IDS, DEMO_LOCATION_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { nextSendingTime } from '../../../src/compliance/quiet-hours';
import { DEMO_TIME_ZONE } from '../../../src/practice/demo-practice';
import { FakeHl7v2Ehr, type SiuSpec, siuMessage } from '../../fakes/hl7v2-ehr';
import { findFreePort } from '../../support/free-port';
import { waitFor } from '../../support/wait-for';
import type { ReminderJobData } from '../../../src/queues/appointment-reminder-queue';
import { reminderQueue, smsProductForThisFile } from './sms-product';
import { verifiedTexter } from './verified-texter';

let ehr: FakeHl7v2Ehr;
let listenPort: number;
let reminders: Queue<ReminderJobData>;

const product = smsProductForThisFile(
  async () => {
    ehr = await FakeHl7v2Ehr.start();
    listenPort = await findFreePort();
    return { EMR_ADAPTER: 'hl7v2', HL7V2_EHR_ADDRESS: `127.0.0.1:${ehr.port}`, HL7V2_LISTEN_PORT: String(listenPort) };
  },
  { emrWatchMs: 250 },
);

beforeAll(() => {
  reminders = reminderQueue(product.setup);
});

afterAll(async () => {
  await reminders?.close();
  await ehr?.close();
});

function siu(trigger: 'S12' | 'S15', start: Date): SiuSpec {
  return {
    trigger,
    fillerId: 'EHR-APPT-7001',
    start,
    end: new Date(start.getTime() + 30 * 60_000),
    fillerStatus: trigger === 'S15' ? 'Cancelled' : 'Booked',
    patient: {
      id: DEMO_PATIENT_IDS.samplePerson,
      family: 'Person',
      given: 'Sample',
      birthDate: '1975-11-30',
      phone: '+15555550188',
    },
    service: { code: 'follow-up', text: 'Follow-up visit' },
    practitioner: { id: DEMO_PRACTITIONER_IDS.chen, family: 'Chen', given: 'James', prefix: 'Dr.' },
    location: { id: DEMO_LOCATION_IDS.mainStreet, name: 'Main Street Office' },
  };
}

async function heldNotices(): Promise<number> {
  const rows = await product.app.database.db
    .selectFrom('outbound_messages')
    .select('id')
    .where('status', '=', 'held')
    .execute();
  return rows.length;
}

const ackCode = (ack: {
  getSegment(name: string): { getComponent(field: number, component: number): string } | undefined;
}) => ack.getSegment('MSA')?.getComponent(1, 1);

test('an SIU^S15 over MLLP for a booked visit cancels its reminders and tells the patient', async () => {
  const phone = await verifiedTexter(
    product.setup,
    '+15555550188',
    '1975-11-30',
    'I need a checkup next Tuesday afternoon',
  );
  // The EHR listens only once the adapter is up; the change watch starts it.
  await waitFor(
    () => ehr.sendTo(listenPort, siuMessage(siu('S12', new Date(Date.now() + 4 * 86_400_000)))).catch(() => undefined),
    15_000,
    'our MLLP listener',
  ).then((ack) => expect(ackCode(ack)).toBe('AA'));

  const scheduled = await waitFor(
    async () => {
      const jobs = await reminders.getDelayed();
      return jobs.length === 2 ? jobs : undefined;
    },
    15_000,
    'the 48 h and 2 h reminders',
  );
  expect(scheduled.map((job) => job.data.lead).sort()).toEqual(['2h', '48h']);
  expect(JSON.stringify(scheduled.map((job) => job.data))).not.toMatch(/EHR-APPT|Sample|Person|1975|5550188/);

  const before = phone.received().length;
  expect(ackCode(await ehr.sendTo(listenPort, siuMessage(siu('S15', new Date(Date.now() + 4 * 86_400_000)))))).toBe(
    'AA',
  );
  // The notice is an automated message: outside 8am–9pm in the practice's zone it is held until morning.
  const now = new Date();
  if (nextSendingTime(now, { from: '08:00', to: '21:00', timeZone: DEMO_TIME_ZONE }) === now) {
    const [notice] = await waitFor(
      () => (phone.received().length > before ? phone.received().slice(before) : undefined),
      15_000,
      'the cancellation notice',
    );
    expect(notice).toMatch(/^Riverside Family Medicine has cancelled your upcoming visit\./);
  } else {
    await waitFor(async () => (await heldNotices()) === 1, 15_000, 'the held cancellation notice');
  }
  expect(await reminders.getDelayed()).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(phone.received().length + (await heldNotices())).toBe(before + 1);
}, 90_000);

test('with HL7 v2, a wished time is sent as SRM^S01; the SIU^S12 answering it tells the patient they are booked', async () => {
  const ask = 'I need a checkup next Tuesday afternoon';
  const phone = await verifiedTexter(product.setup, '+15555550177', '1990-01-15', ask);
  const sentBefore = ehr.received.length;
  expect(await phone.text(ask)).toEqual([expect.stringMatching(/^I've sent your request to our scheduling system/)]);
  const request = ehr.received.slice(sentBefore).find((received) => received.messageType === 'SRM^S01');
  expect(request?.placerId).toMatch(/:request$/);

  const booked = {
    ...siu('S12', new Date(Date.now() + 5 * 86_400_000)),
    fillerId: 'EHR-APPT-7002',
    placerId: request!.placerId,
    patient: {
      id: DEMO_PATIENT_IDS.dupExampleWithPhone,
      family: 'Example',
      given: 'Dup',
      birthDate: '1990-01-15',
      phone: '+15555550177',
    },
  };
  const before = phone.received().length;
  expect(ackCode(await ehr.sendTo(listenPort, siuMessage(booked)))).toBe('AA');
  const [confirmation] = await waitFor(
    () => (phone.received().length > before ? phone.received().slice(before) : undefined),
    15_000,
    'the booking confirmation',
  );
  expect(confirmation).toMatch(/^You're booked: Follow-up visit with Dr\. James Chen at Main Street Office/);
}, 90_000);
