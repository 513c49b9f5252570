/**
 * The scheduling outbox: each change asked of the EMR is a row written before the EMR is called, keyed by an
 * idempotency key the EMR also sees. In a turn it is written in the turn's transaction, so it commits together with
 * what the patient is told; if the turn is retried, the same key finds the EMR's booking instead of making another.
 * The details are sealed; status and attempts stay queryable.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { SchedulingRequestKind, SchedulingRequestStatus } from '../db/scheduling-tables';
import type { EmrSlot, VisitType } from '../emr/emr-adapter';
import type { KeyRing } from '../phi/key-ring';

/** What was asked, sealed in `details_enc`. */
export interface SchedulingDetails {
  readonly patientEmrId?: string;
  readonly slot?: EmrSlot;
  readonly visitType?: VisitType;
  /** The appointment being moved or cancelled. */
  readonly appointmentEmrId?: string;
  /** A PHI-free code ('patient-request', 'feeling-better', ...). */
  readonly reason?: string;
  /** A new patient's own words, for staff to complete. */
  readonly newPatient?: Readonly<Record<string, string>>;
}

export interface SchedulingRequest {
  readonly id: string;
  readonly practiceId: string;
  readonly conversationId: string | null;
  /** The patient's message this request answers. */
  readonly inboundMessageId: number | null;
  readonly patientId: string | null;
  readonly kind: SchedulingRequestKind;
  readonly idempotencyKey: string;
  readonly status: SchedulingRequestStatus;
  readonly details: SchedulingDetails;
  readonly attempts: number;
  /** The appointment the EMR answered with, once it did. */
  readonly appointmentEmrId?: string;
}

export interface NewSchedulingRequest {
  readonly practiceId: string;
  readonly conversationId: string | null;
  readonly inboundMessageId?: number | null;
  readonly patientId: string | null;
  readonly kind: SchedulingRequestKind;
  readonly idempotencyKey: string;
  readonly details: SchedulingDetails;
  readonly status?: SchedulingRequestStatus;
}

export class SchedulingRequests {
  constructor(private readonly keyRing: KeyRing) {}

  /** Writes the request, or returns the one already written under the same key (a retried turn). */
  async open(db: Kysely<Database>, request: NewSchedulingRequest): Promise<SchedulingRequest> {
    await db
      .insertInto('scheduling_requests')
      .values({
        practice_id: request.practiceId,
        conversation_id: request.conversationId,
        inbound_message_id: request.inboundMessageId ?? null,
        patient_id: request.patientId,
        kind: request.kind,
        idempotency_key: request.idempotencyKey,
        status: request.status ?? 'requested',
        details_enc: this.keyRing.encryptJson(request.details),
      })
      .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
      .execute();
    const opened = await this.byKey(db, request.idempotencyKey);
    if (!opened) throw new Error('scheduling request vanished after insert');
    return opened;
  }

  async get(db: Kysely<Database>, id: string): Promise<SchedulingRequest | undefined> {
    const row = await db.selectFrom('scheduling_requests').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toRequest(row);
  }

  /** Records the EMR's answer (or that it did not answer); `retryAt` only with `waiting_for_emr`. */
  async settle(
    db: Kysely<Database>,
    id: string,
    status: SchedulingRequestStatus,
    outcome: { appointmentEmrId?: string; error?: string; retryAt?: Date } = {},
  ): Promise<void> {
    await db
      .updateTable('scheduling_requests')
      .set((eb) => ({
        status,
        attempts: eb('attempts', '+', 1),
        next_attempt_at: outcome.retryAt ?? null,
        last_error: outcome.error ?? null,
        updated_at: new Date(),
        ...(outcome.appointmentEmrId === undefined
          ? {}
          : { outcome_enc: this.keyRing.encryptJson({ appointmentEmrId: outcome.appointmentEmrId }) }),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** Requests whose retry is due (for the sweep that re-queues retries lost with a Redis restart). */
  async due(db: Kysely<Database>, now: Date, limit = 100): Promise<string[]> {
    const rows = await db
      .selectFrom('scheduling_requests')
      .select('id')
      .where('status', '=', 'waiting_for_emr')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  private async byKey(db: Kysely<Database>, idempotencyKey: string): Promise<SchedulingRequest | undefined> {
    const row = await db
      .selectFrom('scheduling_requests')
      .selectAll()
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return row && this.toRequest(row);
  }

  private toRequest(row: {
    id: string;
    practice_id: string;
    conversation_id: string | null;
    inbound_message_id: number | null;
    patient_id: string | null;
    kind: SchedulingRequestKind;
    idempotency_key: string;
    status: SchedulingRequestStatus;
    details_enc: string;
    outcome_enc: string | null;
    attempts: number;
  }): SchedulingRequest {
    const details = this.keyRing.decryptJson<SchedulingDetails>(row.details_enc);
    const slot = details.slot && {
      ...details.slot,
      start: new Date(details.slot.start),
      end: new Date(details.slot.end),
    };
    const outcome =
      row.outcome_enc === null ? undefined : this.keyRing.decryptJson<{ appointmentEmrId?: string }>(row.outcome_enc);
    return {
      id: row.id,
      practiceId: row.practice_id,
      conversationId: row.conversation_id,
      inboundMessageId: row.inbound_message_id === null ? null : Number(row.inbound_message_id),
      patientId: row.patient_id,
      kind: row.kind,
      idempotencyKey: row.idempotency_key,
      status: row.status,
      details: { ...details, ...(slot ? { slot } : {}) },
      attempts: row.attempts,
      ...(outcome?.appointmentEmrId ? { appointmentEmrId: outcome.appointmentEmrId } : {}),
    };
  }
}
