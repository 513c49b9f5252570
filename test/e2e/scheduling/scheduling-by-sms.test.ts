/**
 * Issue 5's acceptance on conversations, through the whole product in demo mode over SMS: two patients confirming the
 * same time at the same moment (one booked, the other told and offered other times, never two appointments in one
 * slot); "¿Puedo cambiar mi cita del viernes?"-style rescheduling in Spanish, then cancelling, leaving the EMR
 * consistent (old slots free again).
 */
import { DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { DEMO_TIME_ZONE } from '../../../src/practice/demo-practice';
import { waitFor } from '../../support/wait-for';
import { smsProductForThisFile } from './sms-product';
import { offeredTimes, verifiedTexter } from './verified-texter';

const product = smsProductForThisFile();

const SPANISH_WEEKDAYS = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'];

function weekdayIndex(instant: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: DEMO_TIME_ZONE, weekday: 'long' }).format(instant);
  return ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].indexOf(name);
}

test('two patients confirming the same time at once: one is booked, the other is told and offered other times', async () => {
  const ask = 'I need a checkup next Thursday morning';
  const [first, second] = await Promise.all([
    verifiedTexter(product.setup, '+15555550188', '1975-11-30', ask),
    verifiedTexter(product.setup, '+15555550177', '1990-01-15', ask),
  ]);
  const [firstOffer, secondOffer] = await Promise.all([first.text(ask), second.text(ask)]);
  const wanted = offeredTimes(firstOffer[0])[0]!;
  expect(offeredTimes(secondOffer[0])[0]).toBe(wanted);
  await Promise.all([first.text('1', 2), second.text('1', 2)]);

  const before = [first.received().length, second.received().length];
  await Promise.all([first.text('yes'), second.text('yes')]);
  // Whoever loses the race gets two messages (sorry, then new times); wait for all three.
  const [winner, loser] = await waitFor(
    () => {
      const news = [first.received().slice(before[0]), second.received().slice(before[1])];
      if (news[0]!.length + news[1]!.length < 3) return undefined;
      return news[0]![0]!.startsWith("You're booked") ? [news[0], news[1]] : [news[1], news[0]];
    },
    20_000,
    'both answers',
  );
  expect(winner?.[0]).toMatch(/^You're booked: Annual physical with Dr\. /);
  expect(loser?.[0]).toMatch(/someone has just taken that time/);
  expect(offeredTimes(loser?.[1])).not.toContain(wanted);
  expect(offeredTimes(loser?.[1]).length).toBeGreaterThan(0);

  const booked = await Promise.all(
    [DEMO_PATIENT_IDS.samplePerson, DEMO_PATIENT_IDS.dupExampleWithPhone].map((id) =>
      product.app.emr.listUpcoming(id, new Date()),
    ),
  );
  const slots = booked.flat().flatMap((appointment) => appointment.slotEmrIds ?? []);
  expect(new Set(slots).size).toBe(slots.length);
}, 90_000);

test('in Spanish: "¿Puedo cambiar mi cita del <día>?" moves it, then cancelling frees its slot', async () => {
  const [physical] = await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, new Date());
  const day = SPANISH_WEEKDAYS[weekdayIndex(physical!.start)]!;
  const question = `¿Puedo cambiar mi cita del ${day}?`;
  const phone = await verifiedTexter(product.setup, '+15555550123', '1980-04-02', question);

  const moving = await phone.text(question, 2);
  expect(moving[0]).toMatch(/^Vamos a cambiar su cita: Annual physical con Dr\. Maria Alvarez/);
  expect(moving[1]).toMatch(/¿Qué día y hora le vienen bien\?/);
  const [offer] = await phone.text('lo antes posible');
  expect(offer).toMatch(/^Tengo estos horarios/);
  const [chosen] = offeredTimes(offer);
  expect(await phone.text('1', 2)).toEqual([`Eligió: ${chosen}.`, expect.stringMatching(/^¿La reservo\?/)]);
  const [moved] = await phone.text('sí');
  expect(moved).toMatch(/^Listo, cambié su cita: /);

  expect(await product.app.emr.getAppointment(physical!.emrId)).toMatchObject({ status: 'cancelled' });
  const free = await product.app.emr.findSlots({ from: physical!.start, to: physical!.end, limit: 20 });
  expect(free.map((slot) => slot.emrId)).toContain(physical!.slotEmrIds![0]);
  const [replacement] = await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, new Date());
  expect(replacement?.status).toBe('booked');

  const cancelling = await phone.text('quiero cancelar mi cita', 2);
  expect(cancelling[0]).toMatch(/^Su cita: /);
  expect(cancelling[1]).toMatch(/por qué necesita cancelar/);
  expect(await phone.text('1')).toEqual([expect.stringMatching(/¿Cancelo esta cita\?/)]);
  expect(await phone.text('sí')).toEqual(['Listo, su cita quedó cancelada.']);
  expect(await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, new Date())).toEqual([]);
  const freeAgain = await product.app.emr.findSlots({ from: replacement!.start, to: replacement!.end, limit: 20 });
  expect(freeAgain.map((slot) => slot.emrId)).toContain(replacement!.slotEmrIds![0]);
}, 90_000);
