/**
 * A new patient asks for a visit by SMS: the bot collects name, date of birth (asking again for an impossible one),
 * phone, insurance and reason, and leaves a sealed request for the front desk; nothing they typed is stored in the
 * clear.
 */
import type { SchedulingDetails } from '../../../src/scheduling/scheduling-requests';
import { runCli } from '../../support/run-cli';
import { TextingPhone } from '../../integration/twilio/texting-phone';
import { smsProductForThisFile } from './sms-product';

const product = smsProductForThisFile();

test('a new patient is asked for their details, an impossible birth date is asked again, and staff get a sealed request', async () => {
  const phone = new TextingPhone(product.setup, '+15555550166');
  expect((await phone.text('I need a checkup next Tuesday afternoon'))[0]).toMatch(/already a patient/);
  const welcome = await phone.text('2', 2);
  expect(welcome[1]).toBe("What is the patient's full name?");
  expect(await phone.text('Newcomer Testperson')).toEqual([expect.stringMatching(/date of birth/)]);
  expect(await phone.text('13/45/1999')).toEqual([expect.stringMatching(/date of birth/)]);
  expect(await phone.text('04/02/1999')).toEqual(['What is the best phone number to reach you?']);
  expect(await phone.text('555-201-3344')).toEqual([expect.stringMatching(/insurance plan/)]);
  expect(await phone.text('Acme Health Gold')).toEqual(['What would you like to be seen for?']);
  // The request goes to the front desk's inbox: the patient is also told when to expect their reply.
  expect(await phone.text('a yearly checkup', 2)).toEqual([
    expect.stringMatching(/^Thank you! Our front desk will contact you/),
    expect.stringMatching(/our front desk will (join this conversation and reply here within|reply here when we open)/),
  ]);

  const [request] = await product.app.database.db
    .selectFrom('scheduling_requests')
    .selectAll()
    .where('kind', '=', 'new_patient')
    .execute();
  expect(request?.status).toBe('needs_staff');
  expect(JSON.stringify(request)).not.toMatch(/Newcomer|Testperson|1999|2013344|Acme/);
  expect(product.app.keyRing.decryptJson<SchedulingDetails>(request!.details_enc).newPatient).toEqual({
    name: 'Newcomer Testperson',
    birthDate: '1999-04-02',
    phone: '+15552013344',
    insurance: 'Acme Health Gold',
    reason: 'a yearly checkup',
  });
  const handoffs = await product.app.database.db.selectFrom('handoff_requests').select('reason').execute();
  expect(handoffs.map((handoff) => handoff.reason)).toContain('new-patient');

  // Staff see it among the pending requests, with no detail of the patient.
  const pending = await runCli(product.setup.environment.env, 'scheduling', 'pending');
  expect(pending.code).toBe(0);
  expect(JSON.parse(pending.stdout)).toEqual([
    expect.objectContaining({ id: request!.id, kind: 'new_patient', status: 'needs_staff' }),
  ]);
  expect(pending.stdout).not.toMatch(/Newcomer|Testperson|1999|2013344|Acme|checkup/);
}, 60_000);
