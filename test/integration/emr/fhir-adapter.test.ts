/**
 * EMR_ADAPTER=fhir against an external FHIR R4 server process holding the demo seed: the same conformance suites as
 * the demo, over real HTTP; SMART Backend Services sign-in when the server demands it; an outage surfaces as
 * EmrUnavailableError and booking works again once it is back.
 */
import { createEmrAdapter, EmrRequestError, EmrUnavailableError, type EmrAdapter } from '../../../src/emr';
import { SmartBackendAuth } from '../../../src/emr/fhir/smart-backend-auth';
import { DEMO_PATIENT_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { type ExternalFhirServer, startExternalFhirServer } from '../../fakes/fhir/external-fhir-server';
import { describeEmrAdapterConformance, NOW, TIME_ZONE } from './emr-adapter-conformance';

jest.setTimeout(60_000);

const servers: ExternalFhirServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

async function fhirAdapter(options: {
  now: Date;
  timeZone: string;
}): Promise<{ emr: EmrAdapter; server: ExternalFhirServer }> {
  const server = await startExternalFhirServer(options);
  servers.push(server);
  return { emr: await createEmrAdapter('fhir', { fhir: { baseUrl: server.fhirBaseUrl } }), server };
}

describeEmrAdapterConformance('fhir', async (options) => (await fhirAdapter(options)).emr);

test('an EHR outage is EmrUnavailableError; once it is back the same booking goes through, once', async () => {
  const { emr, server } = await fhirAdapter({ now: NOW, timeZone: TIME_ZONE });
  const [slot] = await emr.findSlots({ from: NOW, to: new Date('2026-06-20T00:00:00Z'), limit: 1 });
  const request = {
    idempotencyKey: 'outage-1',
    patientEmrId: DEMO_PATIENT_IDS.samplePerson,
    slot: slot!,
    visitType: 'sick-visit' as const,
  };
  await server.down();
  await expect(emr.book(request)).rejects.toThrow(EmrUnavailableError);
  await expect(emr.book(request)).rejects.toMatchObject({ reason: 'unreachable' });
  await server.up();
  const booked = await emr.book(request);
  expect(booked.status).toBe('booked');
  expect(await emr.book(request)).toEqual(booked);
  const upcoming = await emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, NOW);
  expect(upcoming.filter((appointment) => appointment.slotEmrIds?.includes(slot!.emrId))).toHaveLength(1);
});

test('a server that demands SMART tokens refuses an anonymous client and serves one signed in with an ES384 key', async () => {
  const jose = await import('jose');
  const { publicKey, privateKey } = await jose.generateKeyPair('ES384', { extractable: true });
  const server = await startExternalFhirServer({
    now: NOW,
    client: { id: 'concierge-test', publicJwk: await jose.exportJWK(publicKey) },
  });
  servers.push(server);
  const anonymous = await createEmrAdapter('fhir', { fhir: { baseUrl: server.fhirBaseUrl } });
  await expect(anonymous.listPatients()).rejects.toThrow(EmrRequestError);
  const auth = new SmartBackendAuth({
    tokenUrl: server.tokenUrl!,
    clientId: 'concierge-test',
    privateKey: await jose.exportPKCS8(privateKey),
  });
  const signedIn = await createEmrAdapter('fhir', { fhir: { baseUrl: server.fhirBaseUrl, auth } });
  expect(await signedIn.matchPatient({ phone: '+15555550188' })).toHaveLength(1);
  expect((await signedIn.findSlots({ from: NOW, to: new Date('2026-06-20T00:00:00Z'), limit: 2 })).length).toBe(2);
});
