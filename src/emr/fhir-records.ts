/**
 * FHIR R4 resources to the port's plain records. Pure, so the demo and a real FHIR server adapter read resources the
 * same way: the official name, the mobile phone, the visit type from serviceType/appointmentType text.
 */
import type { WithId } from '@medplum/core';
import type {
  Appointment,
  CodeableConcept,
  ContactPoint,
  HumanName,
  Location,
  Patient,
  Practitioner,
} from './fhir-types';
import type { EmrAppointment, EmrPatient } from './emr-adapter';

/** Practitioners and locations an appointment's participants point at, keyed by reference ('Location/<id>'). */
export type ParticipantResources = ReadonlyMap<string, Practitioner | Location>;

/** Missing names or birth date read as '' (real EHRs hold incomplete records; they simply never match). */
export function toEmrPatient(patient: WithId<Patient>): EmrPatient {
  const name = primaryName(patient.name);
  const phone = firstContact(patient.telecom, 'phone', 'mobile');
  const email = firstContact(patient.telecom, 'email');
  return {
    emrId: patient.id,
    given: name?.given?.join(' ') ?? '',
    family: name?.family ?? '',
    birthDate: patient.birthDate ?? '',
    ...(phone === undefined ? {} : { phone }),
    ...(email === undefined ? {} : { email }),
  };
}

/** Undefined when the appointment has no start (FHIR allows that only for proposed or cancelled ones). */
export function toEmrAppointment(
  appointment: WithId<Appointment>,
  participants: ParticipantResources,
): EmrAppointment | undefined {
  if (appointment.start === undefined) return undefined;
  const start = new Date(appointment.start);
  const practitionerEmrId = participantId(appointment, 'Practitioner');
  return {
    emrId: appointment.id,
    patientEmrId: participantId(appointment, 'Patient') ?? '',
    start,
    end: appointment.end === undefined ? start : new Date(appointment.end),
    status: appointment.status,
    visitType: visitTypeOf(appointment),
    practitionerName: participantName(appointment, participants, 'Practitioner'),
    locationName: participantName(appointment, participants, 'Location'),
    ...(practitionerEmrId === undefined ? {} : { practitionerEmrId }),
    slotEmrIds: (appointment.slot ?? []).flatMap((slot) => slot.reference?.match(/^Slot\/(.+)$/)?.[1] ?? []),
  };
}

/** 'Dr. Maria Alvarez': the name's text when given, else prefix, given names and family. */
export function formatPersonName(name: HumanName | undefined): string {
  if (name === undefined) return '';
  if (name.text !== undefined) return name.text;
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? ''].filter((part) => part !== '').join(' ');
}

export function primaryName(names: readonly HumanName[] | undefined): HumanName | undefined {
  return names?.find((name) => name.use === 'official') ?? names?.[0];
}

function firstContact(
  telecom: readonly ContactPoint[] | undefined,
  system: 'phone' | 'email',
  use?: 'mobile',
): string | undefined {
  const matching = (telecom ?? []).filter(
    (point) => point.system === system && (use === undefined || point.use === use),
  );
  return matching.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity))[0]?.value;
}

function visitTypeOf(appointment: Appointment): string {
  return (
    conceptText(appointment.serviceType?.[0]) ??
    conceptText(appointment.appointmentType) ??
    appointment.description ??
    'Appointment'
  );
}

function conceptText(concept: CodeableConcept | undefined): string | undefined {
  return concept?.text ?? concept?.coding?.find((coding) => coding.display !== undefined)?.display;
}

function participantId(appointment: Appointment, type: 'Patient' | 'Practitioner'): string | undefined {
  const prefix = `${type}/`;
  const reference = appointment.participant.find((p) => p.actor?.reference?.startsWith(prefix))?.actor?.reference;
  return reference?.slice(prefix.length);
}

/** The participant's resource name, else the reference's display, else ''. */
function participantName(
  appointment: Appointment,
  participants: ParticipantResources,
  type: 'Practitioner' | 'Location',
): string {
  const actor = appointment.participant.find((participant) =>
    participant.actor?.reference?.startsWith(`${type}/`),
  )?.actor;
  const resource = actor?.reference === undefined ? undefined : participants.get(actor.reference);
  if (resource?.resourceType === 'Practitioner') return formatPersonName(primaryName(resource.name));
  if (resource?.resourceType === 'Location' && resource.name !== undefined) return resource.name;
  return actor?.display ?? '';
}
