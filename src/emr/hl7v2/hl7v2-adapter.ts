/**
 * The `hl7v2` EmrAdapter: an EHR reached over HL7 v2.5 MLLP. We send SRM requests (S01 book, S02 reschedule, S04
 * cancel) and the EHR only acknowledges them; it books in its own time and says so with SIU messages on our listener,
 * which fill a local encrypted mirror. So booking is 'deferred': `book` answers pending, and the appointment shows up
 * in `changes`, `getAppointment` and `listUpcoming` once the EHR's SIU^S12 arrives. HL7 v2 scheduling has no
 * availability query we can rely on, so there is no slot search.
 */
import type { Kysely } from 'kysely';
import type { Hl7v2Tables } from '../../db/hl7v2-tables';
import { ValidationError } from '../../errors';
import type { Logger } from '../../observability/logger';
import type { KeyRing } from '../../phi/key-ring';
import type {
  AppointmentChanges,
  BookingRequest,
  BookingResult,
  CancelRequest,
  CancelResult,
  EmrAdapter,
  EmrAppointment,
  EmrCapabilities,
  EmrPatient,
  EmrSlot,
  PatientCriteria,
} from '../emr-adapter';
import { EmrUnavailableError } from '../emr-errors';
import { assertPatientCriteria } from '../patient-criteria';
import { type AckOutcome, isAccepted, readAck } from './hl7-acks';
import { Hl7v2Store, type MirroredAppointment } from './hl7v2-store';
import { MllpListener } from './mllp-listener';
import { MllpSender, MllpUnavailableError } from './mllp-sender';
import type { OutgoingRequest } from './outgoing-requests';
import { createSiuReceiver } from './siu-receiver';
import { buildBookingRequest, buildCancelRequest, buildRescheduleRequest, type SrmEnvelope } from './srm-messages';

export interface Hl7v2EmrOptions {
  readonly db: Kysely<Hl7v2Tables>;
  readonly practiceId: string;
  readonly keyRing: KeyRing;
  /** The EHR's MLLP listener, where our SRM requests go. */
  readonly ehr: { readonly host: string; readonly port: number };
  /** Our MLLP listener for the EHR's SIU feed; host defaults to 127.0.0.1, port 0 picks a free one. */
  readonly listen: { readonly host?: string; readonly port: number };
  /** How long to wait to connect to the EHR and then for its ACK. Default 10 s. */
  readonly ackTimeoutMs?: number;
  /** MSH-4 of our messages. Default: the practice id. */
  readonly sendingFacility?: string;
  /** The zone of EHR timestamps sent without a UTC offset (HL7 reads them as the sender's local time). Default UTC. */
  readonly timeZone?: string;
  readonly logger?: Logger;
}

export type Hl7v2Emr = EmrAdapter & { readonly listenPort: number };

const DEFAULT_ACK_TIMEOUT_MS = 10_000;
/** At most this many appointments per `changes` call. */
const CHANGES_PAGE_SIZE = 100;
/** ARQ-1 / SCH-1 (EI.1) is at most 199 characters in v2.5. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 199;
const REASON_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const GONE_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);

type Operation = 'book' | 'reschedule' | 'cancel';

/** Starts our listener and returns the adapter; `close()` stops the listener and the connection to the EHR. */
export async function createHl7v2Emr(options: Hl7v2EmrOptions): Promise<Hl7v2Emr> {
  const store = new Hl7v2Store(options.db, options.practiceId, options.keyRing);
  const sendingFacility = options.sendingFacility ?? options.practiceId;
  const listener = await MllpListener.start({
    host: options.listen.host ?? '127.0.0.1',
    port: options.listen.port,
    handle: createSiuReceiver({ store, sendingFacility, timeZone: options.timeZone ?? 'UTC', logger: options.logger }),
  });
  const sender = new MllpSender({ ...options.ehr, ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS });
  return new Hl7v2EmrAdapter(store, listener, sender, sendingFacility);
}

/** No slot search; the EHR books in its own time and confirms with SIU^S12. */
export const HL7V2_CAPABILITIES: EmrCapabilities = { slotSearch: false, hold: false, bookingConfirmation: 'deferred' };

class Hl7v2EmrAdapter implements Hl7v2Emr {
  readonly kind = 'hl7v2';
  readonly capabilities = HL7V2_CAPABILITIES;

  constructor(
    private readonly store: Hl7v2Store,
    private readonly listener: MllpListener,
    private readonly sender: MllpSender,
    private readonly sendingFacility: string,
  ) {}

  get listenPort(): number {
    return this.listener.port;
  }

  async matchPatient(criteria: PatientCriteria): Promise<EmrPatient[]> {
    assertPatientCriteria(criteria);
    return this.store.matchPatients(criteria);
  }

  listPatients(): Promise<EmrPatient[]> {
    return this.store.listPatients();
  }

  /** HL7 v2 scheduling offers no availability query we rely on: the product asks for a time instead. */
  async findSlots(): Promise<EmrSlot[]> {
    return [];
  }

  /** S01 under the idempotency key; answered from the mirror once the EHR's SIU for that key has arrived. */
  async book(request: BookingRequest): Promise<BookingResult> {
    assertBookingRequest(request);
    const mirrored = await this.store.findByPlacerId(request.idempotencyKey);
    if (mirrored) return answerFromMirror(mirrored.appointment);
    const outgoing = await this.store.requests.open({
      idempotencyKey: request.idempotencyKey,
      kind: 'book',
      placerId: request.idempotencyKey,
    });
    const outcome = await this.exchange('book', outgoing, (envelope) =>
      buildBookingRequest(envelope, outgoing.placerId, request),
    );
    return isAccepted(outcome) ? { status: 'pending' } : rejected(outcome);
  }

  /** S02: the EHR moves its appointment (same filler id), confirmed by its SIU^S13. */
  async reschedule(appointmentEmrId: string, request: BookingRequest): Promise<BookingResult> {
    assertBookingRequest(request);
    const current = await this.store.getAppointment(appointmentEmrId);
    if (current && current.appointment.status === 'booked' && isAt(current.appointment, request.slot)) {
      return { status: 'booked', appointment: current.appointment }; // a retry after the SIU^S13 arrived
    }
    const outgoing = await this.store.requests.open({
      idempotencyKey: request.idempotencyKey,
      kind: 'reschedule',
      placerId: placerIdOf(current, request.idempotencyKey),
      appointmentEmrId,
    });
    const outcome = await this.exchange('reschedule', outgoing, (envelope) =>
      buildRescheduleRequest(envelope, appointmentEmrId, outgoing.placerId, request),
    );
    return isAccepted(outcome) ? { status: 'pending', appointmentEmrId } : rejected(outcome);
  }

  /** S04: the EHR cancels, confirmed by its SIU^S15. */
  async cancel(appointmentEmrId: string, request: CancelRequest): Promise<CancelResult> {
    if (request.idempotencyKey === '') throw new ValidationError('idempotency key is empty');
    if (!REASON_CODE.test(request.reason)) throw new ValidationError('cancel reason is not a code');
    const current = await this.store.getAppointment(appointmentEmrId);
    if (current && GONE_STATUSES.has(current.appointment.status)) return { status: 'cancelled' };
    const outgoing = await this.store.requests.open({
      idempotencyKey: request.idempotencyKey,
      kind: 'cancel',
      placerId: placerIdOf(current, request.idempotencyKey),
      appointmentEmrId,
    });
    const outcome = await this.exchange('cancel', outgoing, (envelope) =>
      buildCancelRequest(envelope, {
        appointmentEmrId,
        placerId: outgoing.placerId,
        patientEmrId: current?.appointment.patientEmrId,
        reason: request.reason,
      }),
    );
    return isAccepted(outcome) ? { status: 'pending' } : rejected(outcome);
  }

  async getAppointment(appointmentEmrId: string): Promise<EmrAppointment | undefined> {
    return (await this.store.getAppointment(appointmentEmrId))?.appointment;
  }

  listUpcoming(patientEmrId: string, from: Date): Promise<EmrAppointment[]> {
    return this.store.listUpcoming(patientEmrId, from);
  }

  /** The cursor is the mirror's change sequence number, as a string. */
  async changes(cursor?: string): Promise<AppointmentChanges> {
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new ValidationError('changes cursor is malformed');
    const { appointments, last } = await this.store.changes(Number(cursor ?? 0), CHANGES_PAGE_SIZE);
    return { appointments, cursor: String(last) };
  }

  /** Stops taking SIU messages (answering those received), then closes the connection to the EHR. */
  async close(): Promise<void> {
    await this.listener.close();
    await this.sender.close();
  }

  /** Sends the request (built with its fixed control id and time) and records the EHR's ACK, or its absence. */
  private async exchange(
    operation: Operation,
    outgoing: OutgoingRequest,
    build: (envelope: SrmEnvelope) => string,
  ): Promise<AckOutcome> {
    const message = build({ sendingFacility: this.sendingFacility, ...outgoing });
    let outcome: AckOutcome;
    try {
      outcome = await this.sender.send(message, (frame) => readAck(frame, outgoing.controlId));
    } catch (error) {
      if (!(error instanceof MllpUnavailableError)) throw error;
      await this.store.requests.settle(outgoing.controlId, 'unanswered');
      throw new EmrUnavailableError(operation, error.reason);
    }
    await this.store.requests.settle(outgoing.controlId, isAccepted(outcome) ? 'accepted' : 'rejected', outcome);
    return outcome;
  }
}

function assertBookingRequest(request: BookingRequest): void {
  const { idempotencyKey, slot } = request;
  if (idempotencyKey === '' || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError('idempotency key must be 1 to 199 characters');
  }
  if (request.patientEmrId === '') throw new ValidationError('patient EMR id is empty');
  if (!(slot.end.getTime() > slot.start.getTime())) throw new ValidationError('slot must end after it starts');
}

/** What a booking retry answers once the EHR's SIU for its key is in the mirror. */
function answerFromMirror(appointment: EmrAppointment): BookingResult {
  if (GONE_STATUSES.has(appointment.status)) return { status: 'rejected', reason: appointment.status };
  if (appointment.status === 'pending') return { status: 'pending', appointmentEmrId: appointment.emrId };
  return { status: 'booked', appointment };
}

/** AE/AR (or CE/CR): the EHR's error code when it gave one, else the ACK code; never its free text. */
function rejected(outcome: AckOutcome): { status: 'rejected'; reason: string } {
  return { status: 'rejected', reason: outcome.errorCode ?? outcome.ackCode };
}

/** The appointment's own placer id when we requested it; else this request's key names it on our side. */
function placerIdOf(current: MirroredAppointment | undefined, idempotencyKey: string): string {
  return current?.placerId ?? idempotencyKey;
}

function isAt(appointment: EmrAppointment, slot: EmrSlot): boolean {
  return appointment.start.getTime() === slot.start.getTime() && appointment.end.getTime() === slot.end.getTime();
}
