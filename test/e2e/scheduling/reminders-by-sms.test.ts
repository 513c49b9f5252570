/**
 * Reminders of a visit booked by SMS: the 48 h and 2 h reminders wait as delayed jobs; when one goes out, "C"
 * confirms that visit and "X" cancels it (after asking why), which drops the remaining reminders. Reminders are
 * automated messages: outside 8am–9pm in the practice's zone they are held, and the replies still act on them.
 */
import type { Job, Queue } from 'bullmq';
import { DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { waitFor } from '../../support/wait-for';
import type { TextingPhone } from '../../integration/twilio/texting-phone';
import type { ReminderJobData } from '../../../src/queues/appointment-reminder-queue';
import { reminderQueue, smsProductForThisFile } from './sms-product';
import { verifiedTexter } from './verified-texter';

const product = smsProductForThisFile();
let reminders: Queue<ReminderJobData>;

beforeAll(() => {
  reminders = reminderQueue(product.setup);
});

afterAll(async () => {
  await reminders?.close();
});

/** Sends the reminder now and waits until it went out (or, at night, was held) and the conversation expects C/R/X. */
async function remindNow(job: Job, phone: TextingPhone): Promise<void> {
  const before = phone.received().length + (await heldMessages());
  await job.promote();
  await waitFor(
    async () => {
      const rows = await product.app.database.db.selectFrom('conversations').select('memory').execute();
      const expected = rows.some((row) => row.memory.remindedOf === job.data.trackedId);
      return expected && phone.received().length + (await heldMessages()) > before;
    },
    15_000,
    'the reminder to go out',
  );
}

async function heldMessages(): Promise<number> {
  return (
    await product.app.database.db.selectFrom('outbound_messages').select('id').where('status', '=', 'held').execute()
  ).length;
}

test('a booked visit has its reminders; C confirms it, X cancels it and drops the rest', async () => {
  const ask = 'I need a checkup next Thursday afternoon';
  const phone = await verifiedTexter(product.setup, '+15555550188', '1975-11-30', ask);
  await phone.text(ask);
  await phone.text('1', 2);
  expect(await phone.text('yes')).toEqual([expect.stringMatching(/^You're booked/)]);

  const [booked] = (await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, new Date())).filter(
    (appointment) => appointment.visitType === 'Annual physical',
  );
  const tracked = await product.app.database.db
    .selectFrom('tracked_appointments')
    .select('id')
    .where('appointment_ref', '=', product.app.keyRing.blindIndex('appointment', booked!.emrId))
    .executeTakeFirstOrThrow();
  // The demo's other visits have reminders too: only this one's count here.
  const remindersOfBooking = async () =>
    (await reminders.getDelayed()).filter((job) => job.data.trackedId === tracked.id);
  const jobs = await remindersOfBooking();
  expect(jobs.map((job) => job.data.lead).sort()).toEqual(['2h', '48h']);

  const [first, second] = jobs.sort((a, b) => (a.data.lead === '48h' ? -1 : b.data.lead === '48h' ? 1 : 0));
  await remindNow(first!, phone);
  expect(await phone.text('C')).toEqual(['Thank you, your visit is confirmed. See you then!']);
  const confirmed = await product.app.database.db.selectFrom('tracked_appointments').select('confirmed_at').execute();
  expect(confirmed.filter((row) => row.confirmed_at !== null)).toHaveLength(1);

  await remindNow(second!, phone);
  expect(await phone.text('X')).toEqual([expect.stringMatching(/May I ask why you need to cancel\?/)]);
  expect(await phone.text('1')).toEqual([expect.stringMatching(/Shall I cancel this appointment\?/)]);
  expect(await phone.text('yes')).toEqual(['Done, your appointment is cancelled.']);
  expect(await remindersOfBooking()).toEqual([]);
  const upcoming = await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, new Date());
  expect(upcoming.filter((appointment) => appointment.visitType === 'Annual physical')).toEqual([]);
}, 90_000);
