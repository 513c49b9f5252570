/**
 * Our SRM requests, one per idempotency key: the first call fixes the message control id (MSH-10) and placer id
 * (ARQ-1) that every retry resends, so the EHR recognises a resend. Rows hold ids and ACK codes, never PHI.
 */
import type { Kysely } from 'kysely';
import type { Hl7v2RequestKind, Hl7v2RequestStatus, Hl7v2Tables } from '../../db/hl7v2-tables';
import { ValidationError } from '../../errors';
import { type AckOutcome, newControlId } from './hl7-acks';

export interface OutgoingRequest {
  readonly controlId: string;
  readonly placerId: string;
  /** When it was first requested: MSH-7 of every resend. */
  readonly requestedAt: Date;
}

export interface RequestIdentity {
  readonly idempotencyKey: string;
  readonly kind: Hl7v2RequestKind;
  readonly placerId: string;
  readonly appointmentEmrId?: string;
}

export class OutgoingRequests {
  constructor(
    private readonly db: Kysely<Hl7v2Tables>,
    private readonly practiceId: string,
  ) {}

  /** The request under this key, recorded now or earlier; a key reused for another request is refused. */
  async open(identity: RequestIdentity): Promise<OutgoingRequest> {
    const inserted = await this.db
      .insertInto('hl7v2_outgoing_requests')
      .values({
        practice_id: this.practiceId,
        idempotency_key: identity.idempotencyKey,
        kind: identity.kind,
        placer_id: identity.placerId,
        appointment_emr_id: identity.appointmentEmrId ?? null,
        message_control_id: newControlId(),
      })
      .onConflict((conflict) => conflict.columns(['practice_id', 'idempotency_key']).doNothing())
      .returning(['kind', 'appointment_emr_id', 'placer_id', 'message_control_id', 'created_at'])
      .executeTakeFirst();
    const row =
      inserted ??
      (await this.db
        .selectFrom('hl7v2_outgoing_requests')
        .select(['kind', 'appointment_emr_id', 'placer_id', 'message_control_id', 'created_at'])
        .where('practice_id', '=', this.practiceId)
        .where('idempotency_key', '=', identity.idempotencyKey)
        .executeTakeFirstOrThrow());
    if (row.kind !== identity.kind || row.appointment_emr_id !== (identity.appointmentEmrId ?? null)) {
      throw new ValidationError('idempotency key was used for another EMR request');
    }
    return { controlId: row.message_control_id, placerId: row.placer_id, requestedAt: row.created_at };
  }

  /** Records how the EHR answered (or that it did not). */
  async settle(controlId: string, status: Hl7v2RequestStatus, outcome?: AckOutcome): Promise<void> {
    await this.db
      .updateTable('hl7v2_outgoing_requests')
      .set({
        status,
        ack_code: outcome?.ackCode ?? null,
        error_code: outcome?.errorCode ?? null,
        updated_at: new Date(),
      })
      .where('practice_id', '=', this.practiceId)
      .where('message_control_id', '=', controlId)
      .execute();
  }
}
