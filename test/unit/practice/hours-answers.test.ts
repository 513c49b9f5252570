import type { FlowActionContext } from '../../../src/flows/action-registry';
import { answerHoursAction, askedDate } from '../../../src/flows/actions/hours-action';
import { localDate } from '../../../src/practice/opening-hours';
import { answerFaqAction } from '../../../src/flows/actions/practice-answer-actions';
import {
  DEMO_PRACTICE_ID,
  DEMO_TIME_ZONE,
  demoLocationDetails,
  demoPracticeProfile,
} from '../../../src/practice/demo-practice';
import type { PracticeContent } from '../../../src/practice/practice-profile';

const SUNDAY_AFTERNOON = new Date('2026-11-22T20:00:00Z');
const practice: PracticeContent = {
  id: DEMO_PRACTICE_ID,
  name: 'Riverside Family Medicine',
  profile: demoPracticeProfile,
  locations: [{ id: 'main', name: 'Main', timeZone: DEMO_TIME_ZONE, details: demoLocationDetails(SUNDAY_AFTERNOON) }],
  faq: new Map(),
};

function context(
  text: string,
  lang: 'en' | 'es',
  params: Record<string, string> = {},
  now = SUNDAY_AFTERNOON,
): FlowActionContext {
  return {
    lang,
    text,
    intent: 'faq.hours',
    entities: [],
    params,
    practice,
    now,
    memory: { consecutiveMisses: 0 },
    recordHandoffRequest: async () => undefined,
    // The hours answer reads no patient record.
    verifiedPatient: async () => undefined,
    upcomingAppointments: async () => [],
    canDisclose: async () => false,
    say: () => undefined,
    sayPhi: () => undefined,
    vars: {},
    turnKey: 'test-turn',
    scheduling: {
      slotSearch: true,
      findSlots: async () => [],
      book: async () => ({ status: 'rejected', reason: 'not in this test' }),
      cancel: async () => ({ status: 'rejected', reason: 'not in this test' }),
      requestNewPatientVisit: async () => undefined,
      remindedAppointment: async () => undefined,
      confirmReminded: async () => undefined,
    },
  };
}

async function answer(text: string, lang: 'en' | 'es', params?: Record<string, string>, now?: Date): Promise<string> {
  const action = params ? answerFaqAction : answerHoursAction;
  return String((await action.run(context(text, lang, params, now))).vars?.answer);
}

test('the day asked about is found in English and Spanish, in the practice time zone', () => {
  expect(askedDate('are you open on saturday?', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)?.isoDate).toBe('2026-11-28');
  expect(askedDate('¿abren el sábado?', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)?.weekday).toBe('saturday');
  expect(askedDate('open today?', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)?.isoDate).toBe('2026-11-22');
  expect(askedDate('¿abren mañana?', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)?.isoDate).toBe('2026-11-23');
  expect(askedDate('¿abren por la mañana?', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)).toBeUndefined();
  expect(askedDate('what are your hours', SUNDAY_AFTERNOON, DEMO_TIME_ZONE)).toBeUndefined();
});

test('hours for a named day, a closed day, a holiday and the whole week', async () => {
  expect(await answer('what time do you open on saturday?', 'en')).toBe(
    "Yes, on Saturday we're open 9:00 AM to 12:00 PM.",
  );
  expect(await answer('¿abren el sábado?', 'es')).toBe('Sí, el sábado abrimos de 9:00 a. m. a 12:00 p. m.');
  expect(await answer('open sunday?', 'en')).toBe("We're closed on Sunday.");
  expect(await answer('are you open thursday', 'en')).toMatch(
    /^We're closed on Thursday \(November 26, Thanksgiving\)\.$/,
  );
  const week = await answer('what are your hours', 'en');
  expect(week).toMatch(
    /^Our hours: Monday–Tuesday: 8:00 AM to 5:00 PM; Wednesday: 8:00 AM to 7:00 PM; Thursday–Friday: 8:00 AM to 5:00 PM; Saturday: 9:00 AM to 12:00 PM; Sunday: closed\./,
  );
  expect(week).toMatch(
    /Holidays: closed Thursday, November 26 \(Thanksgiving\); December 24 \(Christmas Eve\)|Holidays: closed Thursday, November 26 \(Thanksgiving\)/,
  );
});

test('insurance answers name the plan asked about, including aliases, in either language', async () => {
  expect(await answer('¿aceptan Medicaid?', 'es', { topic: 'insurance' })).toMatch(/^Sí, aceptamos Medicaid\./);
  expect(await answer('do you take BCBS', 'en', { topic: 'insurance' })).toMatch(
    /^Yes, we accept Blue Cross Blue Shield\./,
  );
  expect(await answer('do you take Kaiser?', 'en', { topic: 'insurance' })).toMatch(
    /^We accept Medicare, Medicaid, .* and Humana\. If your plan isn't listed/,
  );
});

test("a manager's written answer wins over the generated one", async () => {
  const written = { ...practice, faq: new Map([['parking', { en: 'Park in lot B.' }]]) };
  const result = await answerFaqAction.run({ ...context('parking?', 'en', { topic: 'parking' }), practice: written });
  expect(result.vars?.answer).toBe('Park in lot B.');
  expect(await answer('¿estacionamiento?', 'es', { topic: 'parking' })).toMatch(/^Estacionamiento gratis/);
});

test('dates ahead are calendar days, also across a daylight-saving change near midnight', () => {
  // Saturday 7 March 2026, 23:30 in New York (EST); clocks go forward at 02:00 on Sunday the 8th (a 23-hour day).
  const lateSaturday = new Date('2026-03-08T04:30:00Z');
  expect(localDate(lateSaturday, DEMO_TIME_ZONE, 1)).toEqual({ isoDate: '2026-03-08', weekday: 'sunday' });
  expect(localDate(lateSaturday, DEMO_TIME_ZONE, 2)).toEqual({ isoDate: '2026-03-09', weekday: 'monday' });
  // Saturday 31 October, 00:30 (EDT); clocks go back on Sunday 1 November (a 25-hour day).
  const earlySaturday = new Date('2026-10-31T04:30:00Z');
  expect(localDate(earlySaturday, DEMO_TIME_ZONE, 2)).toEqual({ isoDate: '2026-11-02', weekday: 'monday' });
});
