/**
 * Our scheduling requests to the EHR (HL7 v2.5 chapter 10, SRM_S01 structure): S01 request a new appointment,
 * S02 request rescheduling, S04 request cancellation. The EHR answers each with an ACK and, once its staff or rules
 * act on it, with an SIU (S12 booked, S13 rescheduled, S15 cancelled) that our listener applies.
 *
 * ARQ-1 (placer appointment id) is our idempotency key for a booking, and MSH-10 stays the same for every resend of
 * one request, so an EHR that de-duplicates on either never books twice.
 */
import type { BookingRequest, VisitType } from '../emr-adapter';
import {
  encodeHeader,
  encodeMessage,
  encodeSegment,
  type FieldValue,
  formatTimestamp,
  SENDING_APPLICATION,
} from './hl7-encoding';

export interface SrmEnvelope {
  readonly sendingFacility: string;
  /** MSH-10: the same for every resend of one request. */
  readonly controlId: string;
  /** MSH-7: when the request was first made, so a resend is the same message. */
  readonly requestedAt: Date;
}

/** S01: book the slot for the patient; `placerId` names the appointment on our side (ARQ-1). */
export function buildBookingRequest(envelope: SrmEnvelope, placerId: string, request: BookingRequest): string {
  return encodeMessage([
    encodeHeader({ ...header(envelope), messageType: ['SRM', 'S01', 'SRM_S01'] }),
    encodeSegment('ARQ', appointmentRequest(placerId, undefined, undefined, request)),
    patientIdentification(request.patientEmrId),
    ...resources('A', request),
  ]);
}

/**
 * S02, the standard "request appointment rescheduling" (the issue asked for S03, which HL7 defines as a request to
 * modify an appointment's other details): the EHR's appointment (ARQ-2, its filler id) moves to the new slot.
 */
export function buildRescheduleRequest(
  envelope: SrmEnvelope,
  appointmentEmrId: string,
  placerId: string,
  request: BookingRequest,
): string {
  return encodeMessage([
    encodeHeader({ ...header(envelope), messageType: ['SRM', 'S02', 'SRM_S01'] }),
    encodeSegment('ARQ', appointmentRequest(placerId, appointmentEmrId, 'rescheduled', request)),
    patientIdentification(request.patientEmrId),
    ...resources('U', request),
  ]);
}

export interface CancellationRequest {
  readonly appointmentEmrId: string;
  readonly placerId: string;
  /** Known when the appointment is in our mirror. */
  readonly patientEmrId?: string;
  /** A PHI-free reason code (ARQ-6, request event reason). */
  readonly reason: string;
}

/** S04: cancel the EHR's appointment. */
export function buildCancelRequest(envelope: SrmEnvelope, cancellation: CancellationRequest): string {
  const arq: FieldValue[] = [
    [cancellation.placerId, SENDING_APPLICATION],
    [cancellation.appointmentEmrId],
    undefined,
    undefined,
    undefined,
    [cancellation.reason],
  ];
  return encodeMessage([
    encodeHeader({ ...header(envelope), messageType: ['SRM', 'S04', 'SRM_S01'] }),
    encodeSegment('ARQ', arq),
    ...(cancellation.patientEmrId === undefined ? [] : [patientIdentification(cancellation.patientEmrId)]),
    encodeSegment('RGS', ['1', 'D']),
  ]);
}

function header(envelope: SrmEnvelope) {
  return { sendingFacility: envelope.sendingFacility, sentAt: envelope.requestedAt, controlId: envelope.controlId };
}

/** ARQ-1 placer id, ARQ-2 filler id, ARQ-6 request reason, ARQ-8 appointment type, ARQ-9/10 duration, ARQ-11 time. */
function appointmentRequest(
  placerId: string,
  fillerId: string | undefined,
  requestReason: string | undefined,
  request: BookingRequest,
): FieldValue[] {
  const { start, end } = request.slot;
  return [
    [placerId, SENDING_APPLICATION],
    fillerId === undefined ? undefined : [fillerId],
    undefined,
    undefined,
    undefined,
    requestReason === undefined ? undefined : [requestReason],
    undefined,
    visitTypeCode(request.visitType),
    String(minutesBetween(start, end)),
    ['min', 'minutes', 'ANS+'],
    [formatTimestamp(start), formatTimestamp(end)],
  ];
}

/** PID-3: the EHR's patient id (a medical record number). */
function patientIdentification(patientEmrId: string): string {
  return encodeSegment('PID', ['1', undefined, [patientEmrId, '', '', '', 'MR']]);
}

/** The resource group: the service (AIS), the practitioner (AIP) and the place (AIL), each starting at AIx-4/6. */
function resources(action: 'A' | 'U', request: BookingRequest): string[] {
  const { slot } = request;
  const start = formatTimestamp(slot.start);
  const minutes = String(minutesBetween(slot.start, slot.end));
  return [
    encodeSegment('RGS', ['1', action]),
    encodeSegment('AIS', ['1', action, visitTypeCode(request.visitType), start, undefined, undefined, minutes, 'min']),
    encodeSegment('AIP', [
      '1',
      action,
      personName(slot.practitionerEmrId, slot.practitionerName),
      undefined,
      undefined,
      start,
    ]),
    encodeSegment('AIL', ['1', action, placeName(slot.locationEmrId, slot.locationName), undefined, undefined, start]),
  ];
}

/** A CE with our visit-type code ('L': a locally defined code system) and a readable label. */
function visitTypeCode(visitType: VisitType): string[] {
  const label = visitType.replace(/-/g, ' ');
  return [visitType, label.charAt(0).toUpperCase() + label.slice(1), 'L'];
}

const NAME_PREFIX = /^(dr|mr|mrs|ms|mx|prof)\.?$/i;

/** An XCN from a display name: 'Dr. Maria Alvarez' → id^Alvarez^Maria^^^Dr. (family, given, prefix). */
function personName(id: string, displayName: string): string[] {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  const prefix = words.length > 1 && NAME_PREFIX.test(words[0] ?? '') ? words.shift() : undefined;
  const family = words.pop() ?? '';
  return [id, family, words.join(' '), '', '', prefix ?? ''];
}

/** A PL with the location id as point of care (PL-1) and its name as the description (PL-9). */
function placeName(id: string, name: string): string[] {
  return [id, '', '', '', '', '', '', '', name];
}

function minutesBetween(start: Date, end: Date): number {
  return Math.round((end.getTime() - start.getTime()) / 60_000);
}
