/**
 * The simulated patients' phones, each made once, before anything is timed, a verified contact of one of the demo's
 * made-up patients that has agreed to details by text. Each phone goes the real way as far as the secure page: it
 * asks to book, is asked whether it is a patient, answers "1" and gets the secure link and the consent question.
 * The page itself (date of birth, then a code texted to the phone on record) is replaced by what the page does on
 * success, `SecurePageRecords.markVerified` (the product's own method: the contact now speaks for the patient,
 * audited), because the demo has only three phones on record and the benchmark runs four phones in parallel. The
 * phone then answers YES to the consent question by SMS, so the consent ledger holds what a patient's answer leaves.
 */
import type { App } from '../../src/app';
import { DEMO_PATIENT_IDS } from '../../src/emr/demo/demo-emr-seed';
import { SecurePageRecords } from '../../src/identity/secure-page-records';
import { UpcomingAppointments } from '../../src/scheduling/upcoming-appointments';
import type { TextingPatients } from './texting-patients';

/** A simulated phone (555-01xx: numbers reserved for fiction) and the demo patient it speaks for. */
export interface SimulatedPhone {
  readonly number: string;
  readonly patientEmrId: string;
}

/** Four phones, four different patients: phones in parallel never book for the same patient at once. */
export const SIMULATED_PHONES: readonly SimulatedPhone[] = [
  { number: '+15555550141', patientEmrId: DEMO_PATIENT_IDS.samplePerson },
  { number: '+15555550142', patientEmrId: DEMO_PATIENT_IDS.testPatient },
  { number: '+15555550143', patientEmrId: DEMO_PATIENT_IDS.dupExampleWithPhone },
  { number: '+15555550144', patientEmrId: DEMO_PATIENT_IDS.juniorPatient },
];

/** Makes every phone a verified, consenting contact of its patient, one after another. */
export async function verifyPhones(
  app: App,
  patients: TextingPatients,
  publicUrl: string,
  phones: readonly SimulatedPhone[],
): Promise<void> {
  const records = new SecurePageRecords({
    db: app.database.db,
    keyRing: app.keyRing,
    audit: app.audit,
    directory: app.directory,
    appointments: new UpcomingAppointments(app.emr, app.directory, app.audit),
    timeZone: async () => 'UTC',
    // Only markVerified is used here; it sends nothing.
    sendSms: async () => {
      throw new Error('the benchmark setup sends no code');
    },
  });
  for (const phone of phones) await verifyPhone(app, records, patients, publicUrl, phone);
}

async function verifyPhone(
  app: App,
  records: SecurePageRecords,
  patients: TextingPatients,
  publicUrl: string,
  phone: SimulatedPhone,
): Promise<void> {
  const [asked] = await patients.text(publicUrl, phone.number, 'I need a checkup');
  expectReply(asked, /already a patient/, 'the identity question');
  const linkAndQuestion = (await patients.text(publicUrl, phone.number, '1', 2)).join('\n');
  expectReply(linkAndQuestion, /\/s\/[A-Za-z0-9_-]{43}/, 'the secure link');
  expectReply(linkAndQuestion, /Reply YES to agree/, 'the consent question');
  await records.markVerified({
    ...(await contactAndConversation(app, phone.number)),
    patientId: await patientIdOf(app, phone.patientEmrId),
    requestId: 'bench-scheduling-setup',
  });
  const [thanks] = await patients.text(publicUrl, phone.number, 'YES');
  expectReply(thanks, /We will text you answers like this from now on/, 'the consent acknowledgement');
}

function expectReply(reply: string | undefined, pattern: RegExp, what: string): void {
  if (!pattern.test(reply ?? '')) throw new Error(`setup expected ${what}, got: ${reply?.slice(0, 160)}`);
}

/** The phone's SMS contact and its open conversation, as the product created them on the first text. */
async function contactAndConversation(
  app: App,
  number: string,
): Promise<{ contactId: string; conversationId: string }> {
  const db = app.database.db;
  const contactId = await app.repository.findOrCreateContact(db, app.practiceId, 'sms', number);
  const conversation = await db
    .selectFrom('conversations')
    .select('id')
    .where('contact_id', '=', contactId)
    .where('state', '!=', 'closed')
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return { contactId, conversationId: conversation.id };
}

/** Our id of the demo patient with this EMR id (the product copied the demo's patients when it seeded itself). */
async function patientIdOf(app: App, patientEmrId: string): Promise<string> {
  const patient = await app.database.db
    .selectFrom('patients')
    .select('id')
    .where('practice_id', '=', app.practiceId)
    .where('emr_id', '=', patientEmrId)
    .executeTakeFirstOrThrow();
  return patient.id;
}
