/**
 * A scheduling request waiting for the EMR whose retry job was lost (Redis restarted without its data) is found by
 * the periodic sweep, retried once, and booked.
 */
import type { App } from '../../src/app';
import { DEMO_PATIENT_IDS } from '../../src/emr/demo/demo-emr-seed';
import { createTestEnvironment, type TestEnvironment } from '../support/test-config';
import { startTestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

let environment: TestEnvironment;
let app: App;

beforeAll(async () => {
  environment = await createTestEnvironment('postgres');
  ({ app } = await startTestApp(environment.config, { emrWatchMs: 250 }));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await environment?.cleanup();
});

test('a due retry with no job in Redis is queued again by the sweep and completes once', async () => {
  const db = app.database.db;
  const [slot] = await app.emr.findSlots({ from: new Date(), to: new Date(Date.now() + 14 * 86_400_000), limit: 1 });
  const patient = await db
    .selectFrom('patients')
    .select('id')
    .where('emr_id', '=', DEMO_PATIENT_IDS.samplePerson)
    .executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto('scheduling_requests')
    .values({
      practice_id: (await db.selectFrom('practices').select('id').executeTakeFirstOrThrow()).id,
      patient_id: patient.id,
      kind: 'book',
      idempotency_key: 'lost-retry-1',
      status: 'waiting_for_emr',
      attempts: 1,
      next_attempt_at: new Date(Date.now() - 60_000),
      details_enc: app.keyRing.encryptJson({
        patientEmrId: DEMO_PATIENT_IDS.samplePerson,
        slot,
        visitType: 'sick-visit',
      }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  await waitFor(
    async () => {
      const row = await db
        .selectFrom('scheduling_requests')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return row.status === 'booked';
    },
    15_000,
    'the lost retry to run',
  );
  const booked = await app.emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, new Date());
  expect(booked.filter((appointment) => appointment.slotEmrIds?.includes(slot!.emrId))).toHaveLength(1);
}, 60_000);
