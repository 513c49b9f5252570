/**
 * The embedded demo EMR, so the product can be tried with no EHR: an in-process FHIR R4 server seeded with made-up
 * patients and appointments, read through the same FHIR searches a real server would answer. The web and the worker
 * process each build their own; seeded with the same `now` they agree on every id and value.
 */
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from '../fhir-types';
import { DEMO_TIME_ZONE } from '../../practice/demo-practice';
import type { EmrAdapter, EmrAppointment, EmrPatient, PatientCriteria } from '../emr-adapter';
import { toEmrAppointment, toEmrPatient } from '../fhir-records';
import {
  appointmentsStartingFrom,
  hasExactName,
  participantResources,
  patientSearchParams,
  resourcesOfType,
  upcomingAppointmentParams,
} from '../fhir-queries';
import { assertPatientCriteria } from '../patient-criteria';
import { buildDemoEmrSeed } from './demo-emr-seed';
import { InProcessFhirServer } from './in-process-fhir-server';

export interface DemoEmrOptions {
  /** Appointments are placed relative to it; processes that must agree pass the same instant. Default: now. */
  readonly now?: Date;
  /** The demo practice's zone, where appointment clock times are set. Default: America/New_York. */
  readonly timeZone?: string;
}

export type DemoEmr = EmrAdapter & { readonly repository: MemoryRepository };

/** Builds and seeds a demo EMR (the first one in a process also indexes the FHIR definitions, about a second). */
export async function createDemoEmr(options: DemoEmrOptions = {}): Promise<DemoEmr> {
  const now = options.now ?? new Date();
  const server = new InProcessFhirServer();
  await seedRepository(server.repository, buildDemoEmrSeed(now, options.timeZone ?? DEMO_TIME_ZONE), now);
  return new DemoEmrAdapter(server);
}

/** Seeding mode keeps the given meta: version '1' and `now`, identical in every process instead of random. */
async function seedRepository(repository: MemoryRepository, resources: readonly Resource[], now: Date): Promise<void> {
  const meta = { versionId: '1', lastUpdated: now.toISOString() };
  await repository.withSeeding(async () => {
    for (const resource of resources) await repository.createResource({ ...resource, meta }, { assignedId: true });
  });
}

class DemoEmrAdapter implements DemoEmr {
  readonly kind = 'demo';

  constructor(private readonly server: InProcessFhirServer) {}

  get repository(): MemoryRepository {
    return this.server.repository;
  }

  async matchPatient(criteria: PatientCriteria): Promise<EmrPatient[]> {
    assertPatientCriteria(criteria);
    const bundle = await this.server.search('Patient', patientSearchParams(criteria));
    return resourcesOfType(bundle, 'Patient')
      .filter((patient) => hasExactName(patient, criteria))
      .map(toEmrPatient);
  }

  async listPatients(): Promise<EmrPatient[]> {
    const bundle = await this.server.search('Patient', new URLSearchParams({ _sort: '_id' }));
    return resourcesOfType(bundle, 'Patient').map(toEmrPatient);
  }

  async listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]> {
    const bundle = await this.server.search('Appointment', upcomingAppointmentParams(patientEmrId, from));
    const participants = participantResources(bundle);
    return appointmentsStartingFrom(bundle, from)
      .flatMap((appointment) => toEmrAppointment(appointment, participants) ?? [])
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  async close(): Promise<void> {
    this.server.repository.clear();
  }
}
