/**
 * The EmrAdapter over FHIR R4 REST, whatever answers it: the embedded demo server or a practice's EHR. Booking follows
 * the generic R4 pattern: search free Slots, book in one transaction guarded by the Slot's version and our idempotency
 * key, read the Appointment back before confirming. Changes are found by `_lastUpdated` polling.
 */
import type { WithId } from '@medplum/core';
import type { Appointment, Slot } from '../fhir-types';
import type {
  AppointmentChanges,
  BookingRequest,
  BookingResult,
  CancelRequest,
  CancelResult,
  EmrAdapter,
  EmrAdapterKind,
  EmrAppointment,
  EmrCapabilities,
  EmrPatient,
  EmrSlot,
  PatientCriteria,
  SlotSearch,
} from '../emr-adapter';
import { toEmrAppointment, toEmrPatient } from '../fhir-records';
import {
  appointmentsStartingFrom,
  assertFhirId,
  hasExactName,
  participantResources,
  patientSearchParams,
  resourcesOfType,
  upcomingAppointmentParams,
} from '../fhir-queries';
import { assertPatientCriteria } from '../patient-criteria';
import {
  bookedAppointmentId,
  bookingKeyParams,
  bookingTransaction,
  cancellingTransaction,
  freeSlotParams,
} from './fhir-bookings';
import type { FhirClient } from './fhir-client';
import { ScheduleDirectory } from './schedule-directory';

export interface FhirEmrOptions {
  readonly clock?: () => Date;
  /** Called when the adapter closes (the demo clears its memory; HTTP has nothing to release). */
  readonly onClose?: () => Promise<void> | void;
}

/** Slots are searchable and a booking is confirmed (or refused) in the same request. */
export const FHIR_CAPABILITIES: EmrCapabilities = { slotSearch: true, hold: false, bookingConfirmation: 'immediate' };

const APPOINTMENT_INCLUDES = ['Appointment:practitioner', 'Appointment:location'] as const;

export class FhirEmrAdapter implements EmrAdapter {
  readonly capabilities = FHIR_CAPABILITIES;
  private readonly schedules: ScheduleDirectory;
  private readonly clock: () => Date;

  constructor(
    readonly kind: EmrAdapterKind,
    private readonly fhir: FhirClient,
    private readonly options: FhirEmrOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.schedules = new ScheduleDirectory(fhir, this.clock);
  }

  async matchPatient(criteria: PatientCriteria): Promise<EmrPatient[]> {
    assertPatientCriteria(criteria);
    const bundle = await this.fhir.search('Patient', patientSearchParams(criteria));
    return resourcesOfType(bundle, 'Patient')
      .filter((patient) => hasExactName(patient, criteria))
      .map(toEmrPatient);
  }

  async listPatients(): Promise<EmrPatient[]> {
    const bundle = await this.fhir.search('Patient', new URLSearchParams({ _sort: '_id', _count: '1000' }));
    return resourcesOfType(bundle, 'Patient').map(toEmrPatient);
  }

  async findSlots(search: SlotSearch): Promise<EmrSlot[]> {
    const schedules = [...(await this.schedules.all()).values()].filter(
      (schedule) => search.practitionerEmrId === undefined || schedule.practitionerId === search.practitionerEmrId,
    );
    if (schedules.length === 0 || search.limit <= 0) return [];
    const byId = new Map(schedules.map((schedule) => [schedule.scheduleId, schedule]));
    const bundle = await this.fhir.search('Slot', freeSlotParams(search, [...byId.keys()]));
    return resourcesOfType(bundle, 'Slot')
      .flatMap((slot) => {
        const schedule = byId.get(slot.schedule.reference?.replace(/^Schedule\//, '') ?? '');
        const start = new Date(slot.start);
        // A server may match overlapping ranges; only slots that really start in the window and are free count.
        if (!schedule || slot.status !== 'free' || start < search.from || start >= search.to) return [];
        return [
          {
            emrId: slot.id,
            start,
            end: new Date(slot.end),
            practitionerEmrId: schedule.practitionerId,
            practitionerName: schedule.practitionerName,
            locationEmrId: schedule.locationId,
            locationName: schedule.locationName,
            ...(slot.meta?.versionId === undefined ? {} : { versionId: slot.meta.versionId }),
          },
        ];
      })
      .sort((a, b) => a.start.getTime() - b.start.getTime())
      .slice(0, search.limit);
  }

  async book(request: BookingRequest): Promise<BookingResult> {
    assertFhirId(request.patientEmrId, 'patient');
    const existing = await this.findByKey(request.idempotencyKey);
    if (existing) return this.readBack(existing.id);
    const slot = await this.fhir.read<Slot>('Slot', request.slot.emrId);
    const seenVersion = request.slot.versionId;
    if (!slot || slot.status !== 'free' || (seenVersion !== undefined && slot.meta?.versionId !== seenVersion)) {
      return { status: 'slot_taken' };
    }
    const schedule = (await this.schedules.all()).get(slot.schedule.reference?.replace(/^Schedule\//, '') ?? '');
    if (!schedule) return { status: 'rejected', reason: 'unknown-schedule' };
    const result = await this.fhir.transaction(
      bookingTransaction(request, slot as WithId<Slot>, schedule, this.clock()),
    );
    if (!result.ok) {
      if (result.status === 409 || result.status === 412) return { status: 'slot_taken' };
      return { status: 'rejected', reason: result.issueCode };
    }
    const appointmentId = bookedAppointmentId(result.bundle);
    if (appointmentId === undefined) return { status: 'rejected', reason: 'no-appointment-id' };
    return this.readBack(appointmentId);
  }

  async reschedule(appointmentEmrId: string, request: BookingRequest): Promise<BookingResult> {
    const booked = await this.book(request);
    if (booked.status !== 'booked') return booked;
    // Only once the new visit is certain is the old one given up; a retry re-finds the booking by its key.
    const cancelled = await this.cancel(appointmentEmrId, {
      idempotencyKey: `${request.idempotencyKey}:old`,
      reason: 'rescheduled',
    });
    if (cancelled.status === 'rejected') return { status: 'rejected', reason: `old-appointment-${cancelled.reason}` };
    return booked;
  }

  async cancel(appointmentEmrId: string, request: CancelRequest): Promise<CancelResult> {
    assertFhirId(appointmentEmrId, 'appointment');
    // Someone else may touch the appointment between our read and write: re-read and try again once.
    for (let attempt = 0; attempt < 2; attempt++) {
      const appointment = await this.fhir.read<Appointment>('Appointment', appointmentEmrId);
      if (!appointment) return { status: 'rejected', reason: 'not-found' };
      if (appointment.status === 'cancelled') return { status: 'cancelled' };
      const slots = await this.slotsOf(appointment);
      const result = await this.fhir.transaction(
        cancellingTransaction(appointment as WithId<Appointment>, slots, request.reason),
      );
      if (result.ok) return { status: 'cancelled' };
      if (result.status !== 409 && result.status !== 412) return { status: 'rejected', reason: result.issueCode };
    }
    return { status: 'rejected', reason: 'conflict' };
  }

  async getAppointment(appointmentEmrId: string): Promise<EmrAppointment | undefined> {
    assertFhirId(appointmentEmrId, 'appointment');
    const params = new URLSearchParams({ _id: appointmentEmrId });
    for (const include of APPOINTMENT_INCLUDES) params.append('_include', include);
    const bundle = await this.fhir.search('Appointment', params);
    const [appointment] = resourcesOfType(bundle, 'Appointment');
    return appointment && toEmrAppointment(appointment, participantResources(bundle));
  }

  async listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]> {
    const bundle = await this.fhir.search('Appointment', upcomingAppointmentParams(patientEmrId, from));
    const participants = participantResources(bundle);
    return appointmentsStartingFrom(bundle, from)
      .flatMap((appointment) => toEmrAppointment(appointment, participants) ?? [])
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  /**
   * The cursor is the last `meta.lastUpdated` seen. `ge` rather than `gt`: two changes in the same millisecond are
   * never skipped, at the price of seeing the last one again, which consumers treat as no change.
   */
  async changes(cursor?: string): Promise<AppointmentChanges> {
    const params = new URLSearchParams({ _sort: '_lastUpdated', _count: '100' });
    if (cursor !== undefined) params.set('_lastUpdated', `ge${cursor}`);
    for (const include of APPOINTMENT_INCLUDES) params.append('_include', include);
    const bundle = await this.fhir.search('Appointment', params);
    const participants = participantResources(bundle);
    const changed = resourcesOfType(bundle, 'Appointment');
    return {
      appointments: changed.flatMap((appointment) => toEmrAppointment(appointment, participants) ?? []),
      cursor:
        changed.reduce((last, appointment) => {
          const updated = appointment.meta?.lastUpdated;
          return updated !== undefined && (last === undefined || updated > last) ? updated : last;
        }, cursor) ?? new Date(0).toISOString(),
    };
  }

  async close(): Promise<void> {
    await this.options.onClose?.();
  }

  private async findByKey(idempotencyKey: string): Promise<WithId<Appointment> | undefined> {
    const bundle = await this.fhir.search('Appointment', bookingKeyParams(idempotencyKey));
    return resourcesOfType(bundle, 'Appointment')[0];
  }

  /** Confirms only what the EHR now holds: a booked appointment, read back with its practitioner and location. */
  private async readBack(appointmentId: string): Promise<BookingResult> {
    const appointment = await this.getAppointment(appointmentId);
    if (!appointment) return { status: 'rejected', reason: 'not-found-after-booking' };
    if (appointment.status === 'booked') return { status: 'booked', appointment };
    if (appointment.status === 'pending' || appointment.status === 'proposed') {
      return { status: 'pending', appointmentEmrId: appointment.emrId };
    }
    return { status: 'rejected', reason: `appointment-${appointment.status}` };
  }

  private async slotsOf(appointment: Appointment): Promise<WithId<Slot>[]> {
    const ids = (appointment.slot ?? []).flatMap((slot) => slot.reference?.match(/^Slot\/(.+)$/)?.[1] ?? []);
    const slots = await Promise.all(ids.map((id) => this.fhir.read<Slot>('Slot', id)));
    return slots.filter((slot): slot is WithId<Slot> => slot?.id !== undefined);
  }
}
