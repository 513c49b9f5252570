/**
 * Issue 5's first acceptance point, as a patient on a phone lives it, through the whole product in demo mode: the
 * patient proves who they are on the secure page, agrees to details by text, then books "a checkup next Tuesday
 * afternoon" from the times offered. The demo EMR then holds a booked appointment in that slot, and the slot is no
 * longer free.
 */
import { DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { DEMO_TIME_ZONE } from '../../../src/practice/demo-practice';
import { smsProductForThisFile } from './sms-product';
import { verifiedTexter } from './verified-texter';

const PHONE = '+15555550188'; // "Sample Person", born 1975-11-30
const product = smsProductForThisFile();

/** Weekday and hour of `instant` in the practice's zone. */
function localTime(instant: Date): { weekday: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: DEMO_TIME_ZONE,
    weekday: 'short',
    hour: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(instant);
  return {
    weekday: parts.find((p) => p.type === 'weekday')!.value,
    hour: Number(parts.find((p) => p.type === 'hour')!.value),
  };
}

test('a verified patient books a Tuesday-afternoon checkup by SMS; the EMR holds it and the slot is busy', async () => {
  const phone = await verifiedTexter(product.setup, PHONE, '1975-11-30', 'I need a checkup next Tuesday afternoon');

  const [offer] = await phone.text('I need a checkup next Tuesday afternoon');
  const options = [...offer!.matchAll(/^(\d)\) (.+)$/gm)].map((match) => match[2]!);
  expect(options.length).toBeGreaterThanOrEqual(2);
  expect(options.length).toBeLessThanOrEqual(4);
  expect(options.at(-1)).toBe('None of these');
  for (const option of options.slice(0, -1)) expect(option).toMatch(/^Tue, \w+ \d+, (12|1|2|3|4):\d\d PM with Dr\. /);

  // "None of these" brings the next free times of the same afternoon, none offered before.
  const [more] = await phone.text(String(options.length));
  const next = [...more!.matchAll(/^(\d)\) (.+)$/gm)].map((match) => match[2]!);
  expect(next.length).toBeGreaterThanOrEqual(2);
  for (const option of next.slice(0, -1)) {
    expect(option).toMatch(/^Tue, \w+ \d+, (12|1|2|3|4):\d\d PM with Dr\. /);
    expect(options).not.toContain(option);
  }

  const [chosen, question] = await phone.text('2', 2);
  expect(chosen).toBe(`You chose ${next[1]}.`);
  expect(question).toMatch(/^Shall I book it\?/);
  const [confirmation] = await phone.text('yes');
  expect(confirmation).toMatch(/^You're booked: Annual physical with Dr\. /);

  const [appointment] = (await product.app.emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, new Date())).filter(
    (candidate) => candidate.visitType === 'Annual physical',
  );
  expect(appointment?.status).toBe('booked');
  expect(localTime(appointment!.start)).toMatchObject({ weekday: 'Tue' });
  expect(localTime(appointment!.start).hour).toBeGreaterThanOrEqual(12);
  expect(localTime(appointment!.start).hour).toBeLessThan(17);
  const stillFree = await product.app.emr.findSlots({ from: appointment!.start, to: appointment!.end, limit: 10 });
  expect(stillFree.map((slot) => slot.emrId)).not.toContain(appointment!.slotEmrIds![0]);
}, 60_000);
