/**
 * The embedded demo EMR: passes the adapter conformance suite; two processes seeding with the same `now` hold the
 * same resources; the seed is valid FHIR R4; the physical stays at 10:30 local across DST changes; the registry
 * builds it and refuses adapters that do not exist yet.
 */
import '../../../src/emr/demo/websocket-global';
import { validateResource } from '@medplum/core';
import { createDemoEmr, createEmrAdapter, type DemoEmr, type DemoEmrStore } from '../../../src/emr';
import { buildDemoSlots, DEMO_APPOINTMENT_IDS, DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import type { Resource, ResourceType } from '../../../src/emr/fhir-types';
import { describeEmrAdapterConformance, localClock, NOW, TIME_ZONE } from './emr-adapter-conformance';

describeEmrAdapterConformance('demo', (options) => createDemoEmr(options));

const SEEDED_TYPES: readonly ResourceType[] = [
  'Practitioner',
  'Location',
  'Schedule',
  'Patient',
  'Slot',
  'Appointment',
];

async function allResources(emr: DemoEmr): Promise<Resource[]> {
  const bundles = await Promise.all(
    SEEDED_TYPES.map((resourceType) =>
      emr.repository.search({ resourceType, count: 10_000, sortRules: [{ code: '_id' }] }),
    ),
  );
  return bundles.flatMap((bundle) => (bundle.entry ?? []).map((entry) => entry.resource!));
}

async function physicalStart(now: Date, timeZone = TIME_ZONE): Promise<Date> {
  const emr = await createDemoEmr({ now, timeZone });
  try {
    const [physical] = await emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, now);
    expect(physical?.emrId).toBe(DEMO_APPOINTMENT_IDS.testPatientPhysical);
    return physical!.start;
  } finally {
    await emr.close();
  }
}

test('two demo EMRs seeded with the same instant hold identical resources, ids and versions', async () => {
  const [web, worker] = await Promise.all([createDemoEmr({ now: NOW }), createDemoEmr({ now: new Date(NOW) })]);
  const resources = await allResources(web);
  expect(resources).toHaveLength(19 + buildDemoSlots(NOW, TIME_ZONE).length);
  expect(await allResources(worker)).toEqual(resources);
  expect(
    resources.every((resource) => resource.meta?.versionId === '1' && resource.meta.lastUpdated === NOW.toISOString()),
  ).toBe(true);
  await Promise.all([web.close(), worker.close()]);
});

test('every seeded resource is valid FHIR R4', async () => {
  const emr = await createDemoEmr({ now: NOW });
  // validateResource throws on the first resource breaking a cardinality, type or invariant rule.
  for (const resource of await allResources(emr)) expect(() => validateResource(resource)).not.toThrow();
  await emr.close();
});

test.each([
  // The Friday before clocks go forward (Sunday 8 March): Monday 10:30 is EDT.
  ['2026-03-06T17:00:00Z', '2026-03-09T14:30:00Z', 'Mon 2026-03-09 10:30'],
  // The Friday before clocks go back (Sunday 1 November): Monday 10:30 is EST.
  ['2026-10-30T16:00:00Z', '2026-11-02T15:30:00Z', 'Mon 2026-11-02 10:30'],
  // 00:30 EDT on the day clocks go back, 25 hours long: two calendar days later is Tuesday, not Monday.
  ['2026-11-01T04:30:00Z', '2026-11-03T15:30:00Z', 'Tue 2026-11-03 10:30'],
  // Saturday evening local is already Sunday in UTC: the first weekday two days on is Monday.
  ['2026-06-14T01:00:00Z', '2026-06-15T14:30:00Z', 'Mon 2026-06-15 10:30'],
])('seeded at %s, the physical is at %s (%s in New York)', async (now, expected, local) => {
  const start = await physicalStart(new Date(now));
  expect(start).toEqual(new Date(expected));
  expect(localClock(start, TIME_ZONE)).toBe(local);
});

test('another practice zone keeps the physical at 10:30 on its own clocks', async () => {
  const start = await physicalStart(NOW, 'America/Los_Angeles');
  expect(localClock(start, 'America/Los_Angeles')).toBe('Fri 2026-06-12 10:30');
});

test('upcoming appointments come soonest first with names from their participants', async () => {
  const emr = await createDemoEmr({ now: NOW });
  await emr.repository.createResource({
    resourceType: 'Appointment',
    id: 'test-earlier-visit',
    status: 'pending',
    serviceType: [{ coding: [{ system: 'http://example.org/visit-types', code: 'lab', display: 'Lab work' }] }],
    start: '2026-06-11T13:00:00Z',
    end: '2026-06-11T13:15:00Z',
    participant: [
      { actor: { reference: `Patient/${DEMO_PATIENT_IDS.testPatient}` }, status: 'accepted' },
      { actor: { reference: 'Practitioner/not-in-this-emr', display: 'Dr. Visiting Locum' }, status: 'accepted' },
    ],
  });
  const upcoming = await emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, NOW);
  expect(
    upcoming.map(({ emrId, visitType, practitionerName, locationName }) => ({
      emrId,
      visitType,
      practitionerName,
      locationName,
    })),
  ).toEqual([
    { emrId: 'test-earlier-visit', visitType: 'Lab work', practitionerName: 'Dr. Visiting Locum', locationName: '' },
    {
      emrId: DEMO_APPOINTMENT_IDS.testPatientPhysical,
      visitType: 'Annual physical',
      practitionerName: 'Dr. Maria Alvarez',
      locationName: 'Main Street Office',
    },
  ]);
  await emr.close();
});

test('the registry builds the demo EMR and refuses a FHIR adapter without a server', async () => {
  const emr = await createEmrAdapter('demo', { now: NOW });
  expect(emr.kind).toBe('demo');
  expect(await emr.matchPatient({ phone: '+15555550188' })).toHaveLength(1);
  await emr.close();
  await expect(createEmrAdapter('fhir')).rejects.toThrow('EMR_ADAPTER=fhir needs FHIR_BASE_URL');
});

test('with a store, bookings survive a restart and the slots of days that passed are topped up', async () => {
  let saved: string | undefined;
  const store: DemoEmrStore = { load: async () => saved, save: async (snapshot) => void (saved = snapshot) };
  const first = await createDemoEmr({ now: NOW, store });
  const [slot] = await first.findSlots({ from: NOW, to: new Date('2026-06-20T00:00:00Z'), limit: 1 });
  const booked = await first.book({
    idempotencyKey: 'restart-1',
    patientEmrId: DEMO_PATIENT_IDS.samplePerson,
    slot: slot!,
    visitType: 'sick-visit',
  });
  expect(booked.status).toBe('booked');
  await first.close();

  const weekLater = new Date(NOW.getTime() + 7 * 86_400_000);
  const second = await createDemoEmr({ now: weekLater, store });
  const upcoming = await second.listUpcoming(DEMO_PATIENT_IDS.samplePerson, NOW);
  expect(upcoming.map((appointment) => appointment.slotEmrIds)).toContainEqual([slot!.emrId]);
  const lastDay = buildDemoSlots(weekLater, TIME_ZONE).at(-1)!;
  expect(
    (await second.findSlots({ from: new Date(lastDay.start!), to: new Date(lastDay.end!), limit: 5 })).map(
      (s) => s.emrId,
    ),
  ).toContain(lastDay.id);
  await second.close();
});
