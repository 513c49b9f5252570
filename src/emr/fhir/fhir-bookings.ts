/**
 * The FHIR R4 requests of scheduling, as plain data: the free-slot search, the booking transaction (the Slot updated
 * only at the version the patient was offered, the Appointment created only if our idempotency key is new) and the
 * cancelling transaction that frees the slots again.
 */
import type { WithId } from '@medplum/core';
import type { Appointment, Bundle, BundleEntry, Slot } from '../fhir-types';
import { type BookingRequest, type SlotSearch, VISIT_TYPE_SYSTEM, type VisitType } from '../emr-adapter';

/** Our idempotency keys as Appointment.identifier, so a retried booking finds the appointment it already made. */
export const BOOKING_KEY_SYSTEM = 'https://clinic-concierge.dev/fhir/NamingSystem/booking-key';

/** How the EHR names each visit type (the serviceType display). */
export const VISIT_TYPE_DISPLAY: Readonly<Record<VisitType, string>> = {
  'annual-physical': 'Annual physical',
  'sick-visit': 'Sick visit',
  'follow-up': 'Follow-up visit',
  'new-patient': 'New patient visit',
};

/** `Slot?status=free&schedule=…&start=ge…&start=lt…`, earliest first. */
export function freeSlotParams(search: SlotSearch, scheduleIds: readonly string[]): URLSearchParams {
  const params = new URLSearchParams({
    status: 'free',
    _sort: 'start',
    _count: String(Math.max(search.limit * 4, 20)),
  });
  params.append('start', `ge${search.from.toISOString()}`);
  params.append('start', `lt${search.to.toISOString()}`);
  params.set('schedule', scheduleIds.map((id) => `Schedule/${id}`).join(','));
  if (search.visitType !== undefined) params.set('service-type', `${VISIT_TYPE_SYSTEM}|${search.visitType}`);
  return params;
}

export function bookingKeyParams(idempotencyKey: string): URLSearchParams {
  return new URLSearchParams({ identifier: `${BOOKING_KEY_SYSTEM}|${idempotencyKey}` });
}

export interface ScheduleActors {
  readonly practitionerId: string;
  readonly locationId: string;
}

/** One transaction: create the Appointment (unless the key exists) and mark the Slot busy at the version seen. */
export function bookingTransaction(
  request: BookingRequest,
  slot: WithId<Slot>,
  actors: ScheduleActors,
  now: Date,
): Bundle {
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'booked',
    identifier: [{ system: BOOKING_KEY_SYSTEM, value: request.idempotencyKey }],
    serviceType: [visitTypeConcept(request.visitType)],
    slot: [{ reference: `Slot/${slot.id}` }],
    start: slot.start,
    end: slot.end,
    minutesDuration: Math.round((Date.parse(slot.end) - Date.parse(slot.start)) / 60_000),
    created: now.toISOString(),
    participant: [
      { actor: { reference: `Patient/${request.patientEmrId}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${actors.practitionerId}` }, status: 'accepted' },
      { actor: { reference: `Location/${actors.locationId}` }, status: 'accepted' },
    ],
  };
  return transaction([
    {
      fullUrl: `urn:uuid:${crypto.randomUUID()}`,
      resource: appointment,
      request: { method: 'POST', url: 'Appointment', ifNoneExist: bookingKeyParams(request.idempotencyKey).toString() },
    },
    slotUpdate(slot, 'busy', request.slot.versionId ?? slot.meta?.versionId),
  ]);
}

/** One transaction: the Appointment cancelled and its slots free again, each only at the version just read. */
export function cancellingTransaction(
  appointment: WithId<Appointment>,
  slots: readonly WithId<Slot>[],
  reason: string,
): Bundle {
  const cancelled: Appointment = {
    ...withoutMeta(appointment),
    status: 'cancelled',
    cancelationReason: { text: reason },
  };
  return transaction([
    {
      resource: cancelled,
      request: { method: 'PUT', url: `Appointment/${appointment.id}`, ...ifMatch(appointment.meta?.versionId) },
    },
    ...slots.map((slot) => slotUpdate(slot, 'free', slot.meta?.versionId)),
  ]);
}

/** The id of the Appointment a booking transaction created (or found by its key). */
export function bookedAppointmentId(response: Bundle): string | undefined {
  const entry = response.entry?.[0];
  if (entry?.resource?.resourceType === 'Appointment' && entry.resource.id) return entry.resource.id;
  return entry?.response?.location?.match(/^(?:.*\/)?Appointment\/([^/]+)/)?.[1];
}

function visitTypeConcept(visitType: VisitType) {
  return {
    coding: [{ system: VISIT_TYPE_SYSTEM, code: visitType, display: VISIT_TYPE_DISPLAY[visitType] }],
    text: VISIT_TYPE_DISPLAY[visitType],
  };
}

function slotUpdate(slot: WithId<Slot>, status: Slot['status'], versionId: string | undefined): BundleEntry {
  return {
    resource: { ...withoutMeta(slot), status },
    request: { method: 'PUT', url: `Slot/${slot.id}`, ...ifMatch(versionId) },
  };
}

/** The server sets meta on write; sending the old one back would only confuse a stricter server. */
function withoutMeta<T extends { meta?: unknown }>(resource: T): Omit<T, 'meta'> {
  const copy = { ...resource };
  delete copy.meta;
  return copy;
}

function ifMatch(versionId: string | undefined): { ifMatch?: string } {
  return versionId === undefined ? {} : { ifMatch: `W/"${versionId}"` };
}

function transaction(entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
