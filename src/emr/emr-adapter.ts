/**
 * The EMR port: what the product asks of a practice's EHR (the embedded demo, a FHIR R4 server, an HL7 v2 feed).
 * Adapters speak the EHR's protocol and hand back these plain records; the product keeps only EMR ids and its own
 * encrypted copies, so every record carries the EHR's id.
 */

export const EMR_ADAPTER_KINDS = ['demo', 'fhir', 'hl7v2'] as const;
export type EmrAdapterKind = (typeof EMR_ADAPTER_KINDS)[number];

/** The visit types patients can book by chat; FHIR Slot/Appointment.serviceType codes in VISIT_TYPE_SYSTEM. */
export const VISIT_TYPES = ['annual-physical', 'sick-visit', 'follow-up', 'new-patient'] as const;
export type VisitType = (typeof VISIT_TYPES)[number];
export const VISIT_TYPE_SYSTEM = 'https://clinic-concierge.dev/fhir/CodeSystem/visit-type';

export interface EmrPatient {
  /** FHIR Patient.id (or the EHR's own patient id). */
  readonly emrId: string;
  readonly given: string;
  readonly family: string;
  /** YYYY-MM-DD. */
  readonly birthDate: string;
  /** E.164, the mobile phone on record. */
  readonly phone?: string;
  readonly email?: string;
}

export interface EmrAppointment {
  /** FHIR Appointment.id. */
  readonly emrId: string;
  readonly patientEmrId: string;
  readonly start: Date;
  readonly end: Date;
  /** FHIR Appointment.status (booked, pending, cancelled, ...). */
  readonly status: string;
  /** e.g. 'Annual physical'. */
  readonly visitType: string;
  /** e.g. 'Dr. Maria Alvarez'. */
  readonly practitionerName: string;
  /** e.g. 'Main Street Office'. */
  readonly locationName: string;
  readonly practitionerEmrId?: string;
  /** The slots the appointment occupies (FHIR Appointment.slot). */
  readonly slotEmrIds?: readonly string[];
}

export interface PatientCriteria {
  /** E.164. */
  readonly phone?: string;
  /** YYYY-MM-DD. */
  readonly birthDate?: string;
  /** Matched whole and case-insensitively, never as a prefix. */
  readonly family?: string;
  readonly given?: string;
}

export interface SlotSearch {
  /** Slots starting in [from, to). */
  readonly from: Date;
  readonly to: Date;
  readonly visitType?: VisitType;
  readonly practitionerEmrId?: string;
  /** At most this many, earliest first. */
  readonly limit: number;
}

export interface EmrSlot {
  readonly emrId: string;
  readonly start: Date;
  readonly end: Date;
  readonly practitionerEmrId: string;
  readonly practitionerName: string;
  readonly locationEmrId: string;
  readonly locationName: string;
  /** The slot's version when it was read: booking succeeds only if nobody changed it since. */
  readonly versionId?: string;
}

export interface BookingRequest {
  /** Ours and stable across retries: the EHR never creates two appointments for one key. */
  readonly idempotencyKey: string;
  readonly patientEmrId: string;
  readonly slot: EmrSlot;
  readonly visitType: VisitType;
}

export type BookingResult =
  | { readonly status: 'booked'; readonly appointment: EmrAppointment }
  /** The EHR accepted the request and confirms later (HL7 v2: its SIU^S12). */
  | { readonly status: 'pending'; readonly appointmentEmrId?: string }
  | { readonly status: 'slot_taken' }
  | { readonly status: 'rejected'; readonly reason: string };

export interface CancelRequest {
  readonly idempotencyKey: string;
  /** A short, PHI-free reason code such as 'patient-request' or 'rescheduled'. */
  readonly reason: string;
}

export type CancelResult =
  | { readonly status: 'cancelled' }
  | { readonly status: 'pending' }
  | { readonly status: 'rejected'; readonly reason: string };

/** Appointments changed since a cursor; pass `cursor` back to get the next batch. */
export interface AppointmentChanges {
  readonly appointments: readonly EmrAppointment[];
  readonly cursor: string;
}

export interface EmrCapabilities {
  /** The EHR lists free slots; without it the product can only pass on a request for a time. */
  readonly slotSearch: boolean;
  /** `hold` is implemented. */
  readonly hold: boolean;
  /** 'immediate': `book` answers booked or slot_taken; 'deferred': pending until the EHR confirms. */
  readonly bookingConfirmation: 'immediate' | 'deferred';
}

export interface EmrAdapter {
  readonly kind: EmrAdapterKind;
  readonly capabilities: EmrCapabilities;
  /** Patients matching every given criterion (a family shares a phone: several may match). */
  matchPatient(criteria: PatientCriteria): Promise<EmrPatient[]>;
  /** Every patient (for the product's cached, encrypted copy); the demo has a handful. */
  listPatients(): Promise<EmrPatient[]>;
  /** Free slots matching the search, earliest first. */
  findSlots(search: SlotSearch): Promise<EmrSlot[]>;
  /** Keeps a slot for a few minutes while the patient confirms; only when `capabilities.hold`. */
  hold?(slot: EmrSlot, minutes: number): Promise<boolean>;
  /** Books the slot once per idempotency key: a retry of a booked key answers the same appointment. */
  book(request: BookingRequest): Promise<BookingResult>;
  /** Books the new slot first and cancels the old appointment only once that succeeded. */
  reschedule(appointmentEmrId: string, request: BookingRequest): Promise<BookingResult>;
  cancel(appointmentEmrId: string, request: CancelRequest): Promise<CancelResult>;
  getAppointment(appointmentEmrId: string): Promise<EmrAppointment | undefined>;
  /** Booked/pending appointments of the patient starting at or after `from`, soonest first. */
  listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]>;
  /** Appointments created or changed after `cursor` (from the start of time without one), by any party. */
  changes(cursor?: string): Promise<AppointmentChanges>;
  close(): Promise<void>;
}
