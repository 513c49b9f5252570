/**
 * Issue 5's acceptance with EMR_ADAPTER=fhir: the whole product books over SMS against an external FHIR R4 server
 * process holding the demo data (the Appointment is booked there, the Slot busy); and with that server down at the
 * moment of booking, the patient is told, the request is kept, and it completes once when the server is back.
 */
import { createEmrAdapter, type EmrAdapter } from '../../../src/emr';
import { DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { waitFor } from '../../support/wait-for';
import { type ExternalFhirServer, startExternalFhirServer } from '../../fakes/fhir/external-fhir-server';
import { smsProductForThisFile } from './sms-product';
import { offeredTimes, verifiedTexter } from './verified-texter';

let fhir: ExternalFhirServer;
/** Our own view of the FHIR server, to check what it holds. */
let ehr: EmrAdapter;

const product = smsProductForThisFile(async () => {
  fhir = await startExternalFhirServer({ now: new Date() });
  ehr = await createEmrAdapter('fhir', { fhir: { baseUrl: fhir.fhirBaseUrl } });
  return { EMR_ADAPTER: 'fhir', FHIR_BASE_URL: fhir.fhirBaseUrl };
});

afterAll(async () => {
  await fhir?.stop();
});

async function slotStatus(slotId: string): Promise<string | undefined> {
  const response = await fetch(`${fhir.fhirBaseUrl}Slot/${slotId}`, { headers: { accept: 'application/fhir+json' } });
  return ((await response.json()) as { status?: string }).status;
}

test('booked over SMS in the external FHIR server: a booked Appointment for the patient, the Slot busy', async () => {
  const phone = await verifiedTexter(
    product.setup,
    '+15555550188',
    '1975-11-30',
    'I need a checkup next Tuesday afternoon',
  );
  const [offer] = await phone.text('I need a checkup next Tuesday afternoon');
  expect(offeredTimes(offer).length).toBeGreaterThan(0);
  await phone.text('1', 2);
  expect(await phone.text('yes')).toEqual([expect.stringMatching(/^You're booked: Annual physical with Dr\. /)]);

  const booked = (await ehr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, new Date())).filter(
    (appointment) => appointment.visitType === 'Annual physical',
  );
  expect(booked).toHaveLength(1);
  expect(booked[0]!.status).toBe('booked');
  expect(await slotStatus(booked[0]!.slotEmrIds![0]!)).toBe('busy');
}, 60_000);

test('the FHIR server down at the moment of booking: the patient is told, and the booking completes once it is back', async () => {
  const phone = await verifiedTexter(
    product.setup,
    '+15555550177',
    '1990-01-15',
    'I need a checkup next Thursday afternoon',
  );
  const [offer] = await phone.text('I need a checkup next Thursday afternoon');
  const [wanted] = offeredTimes(offer);
  await phone.text('1', 2);

  await fhir.down();
  expect(await phone.text('yes')).toEqual([
    expect.stringMatching(/isn't answering right now\. I've kept your request/),
  ]);
  await fhir.up();

  const before = phone.received().length;
  const [confirmation] = await waitFor(
    () => (phone.received().length > before ? phone.received().slice(before) : undefined),
    45_000,
    'the booking confirmation after the FHIR server came back',
  );
  expect(confirmation).toMatch(/^You're booked: Annual physical with Dr\. /);
  expect(wanted).toBeDefined();
  const booked = await ehr.listUpcoming(DEMO_PATIENT_IDS.dupExampleWithPhone, new Date());
  expect(booked).toHaveLength(1);
  expect(await slotStatus(booked[0]!.slotEmrIds![0]!)).toBe('busy');
  // Once: no second confirmation, no second appointment.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(phone.received().length).toBe(before + 1);
}, 90_000);
