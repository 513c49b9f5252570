/**
 * Book, move and cancel appointments so that nothing is lost and nothing happens twice: the request is written before
 * the EMR is called, under a key the EMR sees; an EMR that does not answer leaves the request waiting for a retry
 * (the patient is told, staff can see it), and a retry first checks whether the booking happened after all. `db` is
 * the caller's handle: a turn's transaction, or the pool for a retry job.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { EmrAdapter, EmrAppointment, EmrSlot, VisitType } from '../emr/emr-adapter';
import { EmrUnavailableError } from '../emr/emr-errors';
import type { SchedulingRequest, SchedulingRequests } from './scheduling-requests';

export type SchedulingOutcome =
  | { readonly status: 'booked'; readonly appointment: EmrAppointment }
  | { readonly status: 'cancelled' }
  | { readonly status: 'pending' }
  | { readonly status: 'slot_taken' }
  | { readonly status: 'waiting_for_emr'; readonly requestId: string }
  | { readonly status: 'rejected'; readonly reason: string };

export interface SchedulingParty {
  readonly practiceId: string;
  readonly conversationId: string;
  readonly inboundMessageId: number;
  /** Our patient id (audit, staff) and the EMR's (the request). */
  readonly patientId: string;
  readonly patientEmrId: string;
  /** Stable for one patient decision, e.g. `<conversation>:<inbound message>:book`: a retried turn reuses it. */
  readonly idempotencyKey: string;
}

export interface BookingAsk extends SchedulingParty {
  readonly slot: EmrSlot;
  readonly visitType: VisitType;
  /** Move this appointment to the slot instead of booking another. */
  readonly rescheduleOf?: string;
}

export interface CancelAsk extends SchedulingParty {
  readonly appointmentEmrId: string;
  readonly reason: string;
}

export interface SchedulingDeps {
  readonly requests: SchedulingRequests;
  readonly emr: EmrAdapter;
  readonly audit: AuditLog;
  readonly now: () => Date;
  /** Runs `retry(requestId)` after the delay (a BullMQ delayed job in the app). */
  readonly scheduleRetry: (requestId: string, delayMs: number) => Promise<void>;
  /** After the EMR answered (reminders follow bookings and cancellations). */
  readonly onSettled?: (db: Kysely<Database>, request: SchedulingRequest, outcome: SchedulingOutcome) => Promise<void>;
}

/** Waits between attempts while the EMR is down: about two hours in all, then staff take over. */
export const RETRY_DELAYS_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];

export class SchedulingService {
  constructor(private readonly deps: SchedulingDeps) {}

  get capabilities(): EmrAdapter['capabilities'] {
    return this.deps.emr.capabilities;
  }

  async findSlots(...args: Parameters<EmrAdapter['findSlots']>): Promise<EmrSlot[]> {
    return this.deps.emr.findSlots(...args);
  }

  async book(db: Kysely<Database>, ask: BookingAsk): Promise<SchedulingOutcome> {
    const request = await this.deps.requests.open(db, {
      practiceId: ask.practiceId,
      conversationId: ask.conversationId,
      inboundMessageId: ask.inboundMessageId,
      patientId: ask.patientId,
      kind: ask.rescheduleOf === undefined ? 'book' : 'reschedule',
      idempotencyKey: ask.idempotencyKey,
      details: {
        patientEmrId: ask.patientEmrId,
        slot: ask.slot,
        visitType: ask.visitType,
        ...(ask.rescheduleOf === undefined ? {} : { appointmentEmrId: ask.rescheduleOf }),
      },
    });
    return this.attempt(db, request);
  }

  async cancel(db: Kysely<Database>, ask: CancelAsk): Promise<SchedulingOutcome> {
    const request = await this.deps.requests.open(db, {
      practiceId: ask.practiceId,
      conversationId: ask.conversationId,
      inboundMessageId: ask.inboundMessageId,
      patientId: ask.patientId,
      kind: 'cancel',
      idempotencyKey: ask.idempotencyKey,
      details: { patientEmrId: ask.patientEmrId, appointmentEmrId: ask.appointmentEmrId, reason: ask.reason },
    });
    return this.attempt(db, request);
  }

  /** The delayed retry of a request that found the EMR down; undefined if it was settled meanwhile. */
  async retry(
    db: Kysely<Database>,
    requestId: string,
  ): Promise<{ request: SchedulingRequest; outcome: SchedulingOutcome } | undefined> {
    const request = await this.deps.requests.get(db, requestId);
    if (request?.status !== 'waiting_for_emr') return undefined;
    return { request, outcome: await this.attempt(db, request) };
  }

  private async attempt(db: Kysely<Database>, request: SchedulingRequest): Promise<SchedulingOutcome> {
    const settled = await this.alreadySettled(request);
    if (settled) return settled;
    try {
      const outcome = (await this.foundAfterTimeout(request)) ?? (await this.callEmr(request));
      await this.record(db, request, outcome);
      return outcome;
    } catch (error) {
      if (!(error instanceof EmrUnavailableError)) throw error;
      const delay = RETRY_DELAYS_MS[request.attempts];
      if (delay === undefined) {
        await this.deps.requests.settle(db, request.id, 'needs_staff', { error: `emr_unavailable:${error.reason}` });
        return { status: 'rejected', reason: 'emr-unavailable' };
      }
      const retryAt = new Date(this.deps.now().getTime() + delay);
      await this.deps.requests.settle(db, request.id, 'waiting_for_emr', {
        error: `emr_unavailable:${error.reason}`,
        retryAt,
      });
      await this.deps.scheduleRetry(request.id, delay);
      return { status: 'waiting_for_emr', requestId: request.id };
    }
  }

  /** A request answered before (a retried turn): the same answer again, read fresh from the EMR. */
  private async alreadySettled(request: SchedulingRequest): Promise<SchedulingOutcome | undefined> {
    switch (request.status) {
      case 'requested':
      case 'waiting_for_emr':
        return undefined;
      case 'booked': {
        const appointment = request.appointmentEmrId
          ? await this.deps.emr.getAppointment(request.appointmentEmrId)
          : undefined;
        return appointment ? { status: 'booked', appointment } : undefined;
      }
      case 'cancelled':
        return { status: 'cancelled' };
      case 'pending':
        return { status: 'pending' };
      case 'slot_taken':
        return { status: 'slot_taken' };
      default:
        return { status: 'rejected', reason: request.status };
    }
  }

  /**
   * After the EMR failed to answer, the booking may have happened anyway: look at the patient's appointments for
   * one in the requested slot before asking again.
   */
  private async foundAfterTimeout(request: SchedulingRequest): Promise<SchedulingOutcome | undefined> {
    const { patientEmrId, slot } = request.details;
    if (request.attempts === 0 || request.kind === 'cancel' || !patientEmrId || !slot) return undefined;
    const upcoming = await this.deps.emr.listUpcoming(patientEmrId, slot.start);
    const appointment = upcoming.find(
      (candidate) =>
        candidate.slotEmrIds?.includes(slot.emrId) ||
        (candidate.start.getTime() === slot.start.getTime() && candidate.practitionerEmrId === slot.practitionerEmrId),
    );
    return appointment && { status: 'booked', appointment };
  }

  private async callEmr(request: SchedulingRequest): Promise<SchedulingOutcome> {
    const { patientEmrId, slot, visitType, appointmentEmrId, reason } = request.details;
    if (request.kind === 'cancel') {
      if (!appointmentEmrId) return { status: 'rejected', reason: 'no-appointment' };
      return this.deps.emr.cancel(appointmentEmrId, {
        idempotencyKey: request.idempotencyKey,
        reason: reason ?? 'patient-request',
      });
    }
    if (!patientEmrId || !slot || !visitType) return { status: 'rejected', reason: 'incomplete-request' };
    const booking = { idempotencyKey: request.idempotencyKey, patientEmrId, slot, visitType };
    const result =
      request.kind === 'reschedule' && appointmentEmrId
        ? await this.deps.emr.reschedule(appointmentEmrId, booking)
        : await this.deps.emr.book(booking);
    return result.status === 'pending' ? { status: 'pending' } : result;
  }

  private async record(db: Kysely<Database>, request: SchedulingRequest, outcome: SchedulingOutcome): Promise<void> {
    const status = outcome.status === 'waiting_for_emr' ? 'waiting_for_emr' : outcome.status;
    const appointmentEmrId = outcome.status === 'booked' ? outcome.appointment.emrId : request.details.appointmentEmrId;
    await this.deps.requests.settle(db, request.id, status, {
      ...(appointmentEmrId ? { appointmentEmrId } : {}),
      ...(outcome.status === 'rejected' ? { error: outcome.reason.slice(0, 80) } : {}),
    });
    if (outcome.status !== 'booked' && outcome.status !== 'cancelled') return;
    await this.deps.onSettled?.(db, request, outcome);
    await this.deps.audit.append(db, {
      actor: 'bot',
      action:
        outcome.status === 'cancelled'
          ? 'appointment.cancelled'
          : `appointment.${request.kind === 'reschedule' ? 'rescheduled' : 'booked'}`,
      patientRef: request.patientId ? `patient:${request.patientId}` : undefined,
      purpose: 'patient_request',
      requestId: `scheduling:${request.id}`,
    });
  }
}
