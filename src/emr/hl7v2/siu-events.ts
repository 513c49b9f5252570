/**
 * The EHR's scheduling feed (SIU, HL7 v2.5 chapter 10) read into plain records: S12 new appointment, S13 rescheduled,
 * S14 modified, S15 cancelled, S17 deleted. Timing comes from TQ1 (v2.5) or SCH-11 (the older TQ field most feeds
 * still fill), else AIS; the patient from PID; the service, practitioner and location from AIS, AIP and AIL.
 * Errors name the segment and field only, never a value.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Hl7Message, Hl7Segment } from '@medplum/core';
import type { EmrPatient } from '../emr-adapter';
import type { Hl7ErrorCondition } from './hl7-acks';
import { componentOf, parseDate, parseTimestamp, repetitionCount } from './hl7-encoding';

export const SIU_TRIGGERS = ['S12', 'S13', 'S14', 'S15', 'S17'] as const;
export type SiuTrigger = (typeof SIU_TRIGGERS)[number];

export function isSiuTrigger(trigger: string): trigger is SiuTrigger {
  return (SIU_TRIGGERS as readonly string[]).includes(trigger);
}

/** One SIU, as the mirror applies it. */
export interface SiuEvent {
  readonly trigger: SiuTrigger;
  /** SCH-2: the EHR's appointment id (EmrAppointment.emrId). */
  readonly fillerId: string;
  /** SCH-1: our idempotency key when we asked for the appointment. */
  readonly placerId?: string;
  /** FHIR Appointment.status words. */
  readonly status: string;
  readonly patientEmrId?: string;
  /** When PID carries a name or birth date. */
  readonly patient?: EmrPatient;
  /** Always present for S12–S14; a cancellation or deletion may leave it out. */
  readonly timing?: { readonly start: Date; readonly end: Date };
  readonly visitType: string;
  readonly practitionerName: string;
  readonly practitionerEmrId?: string;
  readonly locationName: string;
  readonly locationEmrId?: string;
}

/** The message cannot be applied; `condition` picks the ERR code, `field` (e.g. 'SCH-2') says where. */
export class SiuMessageError extends Error {
  constructor(
    readonly condition: Hl7ErrorCondition,
    readonly field: string,
  ) {
    super(`SIU ${field}: ${condition}`);
    this.name = 'SiuMessageError';
  }
}

/** HL7 table 0278 (filler status codes) in FHIR Appointment.status words. */
const FILLER_STATUS: Readonly<Record<string, string>> = {
  PENDING: 'pending',
  WAITLIST: 'waitlist',
  BOOKED: 'booked',
  OVERBOOK: 'booked',
  BLOCKED: 'booked',
  STARTED: 'arrived',
  COMPLETE: 'fulfilled',
  NOSHOW: 'noshow',
  CANCELLED: 'cancelled',
  DC: 'cancelled',
  DELETED: 'entered-in-error',
};

/** Reads an SIU whose trigger was checked to be one we take; throws SiuMessageError. */
export function parseSiuEvent(message: Hl7Message, trigger: SiuTrigger, timeZone: string): SiuEvent {
  const schedule = message.getSegment('SCH');
  if (schedule === undefined) throw new SiuMessageError('segmentSequenceError', 'SCH');
  const fillerId = componentOf(schedule, 2);
  if (fillerId === '') throw new SiuMessageError('requiredFieldMissing', 'SCH-2');
  const isChange = trigger === 'S12' || trigger === 'S13' || trigger === 'S14';
  const timing = appointmentTiming(message, schedule, timeZone);
  if (isChange && timing === undefined) throw new SiuMessageError('requiredFieldMissing', 'SCH-11');
  const patient = patientOf(message.getSegment('PID'));
  if (isChange && patient.emrId === undefined) throw new SiuMessageError('requiredFieldMissing', 'PID-3');
  const service = message.getSegment('AIS');
  const personnel = message.getSegment('AIP');
  const location = message.getSegment('AIL');
  return {
    trigger,
    fillerId,
    placerId: nonEmpty(componentOf(schedule, 1)),
    status: statusOf(trigger, schedule),
    patientEmrId: patient.emrId,
    patient: patient.record,
    timing,
    visitType: codedText(service, 3) || codedText(schedule, 7) || codedText(schedule, 8),
    practitionerName: personName(personnel),
    practitionerEmrId: nonEmpty(componentOf(personnel, 3)),
    locationName: componentOf(location, 3, 9) || componentOf(location, 3, 4) || componentOf(location, 3),
    locationEmrId: nonEmpty(componentOf(location, 3)),
  };
}

/** Absent rather than empty, so records read the same as the other adapters'. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function statusOf(trigger: SiuTrigger, schedule: Hl7Segment): string {
  if (trigger === 'S15') return 'cancelled';
  if (trigger === 'S17') return 'entered-in-error';
  const filler = (componentOf(schedule, 25) || componentOf(schedule, 25, 2)).toUpperCase();
  return FILLER_STATUS[filler] ?? 'booked';
}

function appointmentTiming(message: Hl7Message, schedule: Hl7Segment, timeZone: string) {
  const timingQuantity = message.getSegment('TQ1');
  const service = message.getSegment('AIS');
  const startText = componentOf(timingQuantity, 7) || componentOf(schedule, 11, 4) || componentOf(service, 4);
  if (startText === '') return undefined;
  const start = parseTimestamp(startText, timeZone);
  if (start === undefined) throw new SiuMessageError('dataTypeError', 'SCH-11');
  const endText = componentOf(timingQuantity, 8) || componentOf(schedule, 11, 5);
  const end = endText === '' ? endAfter(start, schedule, service) : parseTimestamp(endText, timeZone);
  if (end === undefined || end < start) throw new SiuMessageError('dataTypeError', 'SCH-11');
  return { start, end };
}

/** Start plus the duration of SCH-9/10 or AIS-7/8 (minutes unless the units say hours). */
function endAfter(start: Date, schedule: Hl7Segment, service: Hl7Segment | undefined): Date {
  const [amount, units] = componentOf(schedule, 9)
    ? [componentOf(schedule, 9), componentOf(schedule, 10)]
    : [componentOf(service, 7), componentOf(service, 8)];
  const minutes = Number(amount) * (/^h/i.test(units) ? 60 : 1);
  if (amount === '' || !Number.isFinite(minutes) || minutes < 0)
    throw new SiuMessageError('requiredFieldMissing', 'SCH-9');
  return new Date(start.getTime() + minutes * 60_000);
}

/** A CE/CWE's text, else its code. */
function codedText(segment: Hl7Segment | undefined, field: number): string {
  return componentOf(segment, field, 2) || componentOf(segment, field, 1);
}

/** An XCN (id^family^given^middle^suffix^prefix) read as 'Dr. Maria Alvarez'. */
function personName(personnel: Hl7Segment | undefined): string {
  return [6, 3, 4, 2, 5]
    .map((component) => componentOf(personnel, 3, component))
    .filter((part) => part !== '')
    .join(' ');
}

function patientOf(identification: Hl7Segment | undefined): { emrId?: string; record?: EmrPatient } {
  if (identification === undefined) return {};
  const emrId = medicalRecordNumber(identification);
  if (emrId === undefined) return {};
  const family = componentOf(identification, 5, 1);
  const given = [componentOf(identification, 5, 2), componentOf(identification, 5, 3)].filter(Boolean).join(' ');
  const birthText = componentOf(identification, 7);
  const birthDate = birthText === '' ? '' : parseDate(birthText);
  if (birthDate === undefined) throw new SiuMessageError('dataTypeError', 'PID-7');
  if (family === '' && given === '' && birthDate === '') return { emrId };
  const { phone, email } = contactsOf(identification);
  return {
    emrId,
    record: { emrId, given, family, birthDate, phone, email },
  };
}

/** PID-3: the identifier typed MR (medical record number), else the first. */
function medicalRecordNumber(identification: Hl7Segment): string | undefined {
  const count = repetitionCount(identification, 3);
  const identifiers = Array.from({ length: count }, (_, repetition) => ({
    id: componentOf(identification, 3, 1, repetition),
    type: componentOf(identification, 3, 5, repetition).toUpperCase(),
  })).filter((identifier) => identifier.id !== '');
  return (identifiers.find((identifier) => identifier.type === 'MR') ?? identifiers[0])?.id;
}

/** PID-13 (XTN repetitions): the cell phone (else the first phone) in E.164, and the first e-mail address. */
function contactsOf(identification: Hl7Segment): { phone?: string; email?: string } {
  const entries = Array.from({ length: repetitionCount(identification, 13) }, (_, repetition) => {
    const part = (component: number) => componentOf(identification, 13, component, repetition);
    const isEmail = part(2).toUpperCase() === 'NET' || part(3).toUpperCase() === 'INTERNET';
    return { isEmail, isCell: part(3).toUpperCase() === 'CP', email: part(4), phone: phoneOf(part) };
  });
  const phones = entries.filter((entry) => !entry.isEmail && entry.phone !== undefined);
  return {
    phone: (phones.find((entry) => entry.isCell) ?? phones[0])?.phone,
    email: entries.find((entry) => entry.isEmail && entry.email !== '')?.email,
  };
}

/** XTN-12 (unformatted), XTN-5/6/7 (country, area, local) or XTN-1 (formatted), as E.164 (US when no country). */
function phoneOf(part: (component: number) => string): string | undefined {
  const pieces = part(6) + part(7) === '' ? '' : `${part(5) ? `+${part(5)}` : ''}${part(6)}${part(7)}`;
  const text = part(12) || pieces || part(1);
  if (text === '') return undefined;
  const parsed = parsePhoneNumberFromString(text, 'US');
  return parsed?.isPossible() ? parsed.number : undefined;
}
