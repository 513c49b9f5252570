/**
 * The FHIR R4 searches behind the port, as query strings any R4 server understands, and the bundle reading and
 * filtering they need: FHIR string search matches name prefixes, so names are re-checked whole afterwards.
 */
import type { WithId } from '@medplum/core';
import type {
  Appointment,
  Bundle,
  ExtractResource,
  Location,
  Patient,
  Practitioner,
  Resource,
  ResourceType,
} from './fhir-types';
import { ValidationError } from '../errors';
import type { PatientCriteria } from './emr-adapter';
import type { ParticipantResources } from './fhir-records';
import { isSameName } from './patient-criteria';

/** Statuses the port calls upcoming: the visit is (or is about to be) on the calendar. */
export const UPCOMING_STATUSES = ['booked', 'pending'] as const;

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** `Patient?phone=…&birthdate=…&family=…&given=…`, one parameter per given criterion. */
export function patientSearchParams(criteria: PatientCriteria): URLSearchParams {
  const params = new URLSearchParams();
  if (criteria.phone !== undefined) params.set('phone', criteria.phone);
  if (criteria.birthDate !== undefined) params.set('birthdate', criteria.birthDate);
  if (criteria.family !== undefined) params.set('family', criteria.family.trim());
  if (criteria.given !== undefined) params.set('given', criteria.given.trim());
  return params;
}

/** The patient's booked/pending appointments from `from`, soonest first, with their practitioners and locations. */
export function upcomingAppointmentParams(patientId: string, from: Date): URLSearchParams {
  assertFhirId(patientId, 'patient');
  const params = new URLSearchParams({
    patient: `Patient/${patientId}`,
    date: `ge${from.toISOString()}`,
    status: UPCOMING_STATUSES.join(','),
    _sort: 'date',
  });
  params.append('_include', 'Appointment:practitioner');
  params.append('_include', 'Appointment:location');
  return params;
}

/** A comma would make a reference an OR list, a slash another path: only well-formed FHIR ids go into requests. */
export function assertFhirId(id: string, what: string): void {
  if (!FHIR_ID.test(id)) throw new ValidationError(`${what} EMR id is not a FHIR id`);
}

/** True when one of the patient's names equals the wanted family and given names whole, ignoring case. */
export function hasExactName(patient: Patient, criteria: PatientCriteria): boolean {
  const { family, given } = criteria;
  if (family === undefined && given === undefined) return true;
  return (patient.name ?? []).some(
    (name) =>
      (family === undefined || isSameName(name.family, family)) &&
      (given === undefined ||
        isSameName(name.given?.join(' '), given) ||
        (name.given ?? []).some((part) => isSameName(part, given))),
  );
}

/** The bundle's resources of one type, in bundle order (search matches and includes alike). */
export function resourcesOfType<K extends ResourceType>(bundle: Bundle, type: K): WithId<ExtractResource<K>>[] {
  const resources = (bundle.entry ?? []).map((entry) => entry.resource);
  return resources.filter((resource): resource is WithId<ExtractResource<K>> => isOfType(resource, type));
}

/** Included practitioners and locations keyed by reference, for `toEmrAppointment`. */
export function participantResources(bundle: Bundle): ParticipantResources {
  const included: (Practitioner | Location)[] = [
    ...resourcesOfType(bundle, 'Practitioner'),
    ...resourcesOfType(bundle, 'Location'),
  ];
  return new Map(included.map((resource) => [`${resource.resourceType}/${resource.id}`, resource]));
}

/** Appointments of the bundle that really start at or after `from` (a FHIR date search matches overlapping ranges). */
export function appointmentsStartingFrom(bundle: Bundle, from: Date): WithId<Appointment>[] {
  return resourcesOfType(bundle, 'Appointment').filter(
    (appointment) => appointment.start !== undefined && new Date(appointment.start).getTime() >= from.getTime(),
  );
}

function isOfType(resource: Resource | undefined, type: ResourceType): boolean {
  return resource?.resourceType === type && resource.id !== undefined;
}
