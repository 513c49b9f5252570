/**
 * The outbox's row transitions, each one conditional SQL statement so that concurrent workers, repeated jobs and
 * provider callbacks can never move a row backwards or claim it twice. Statuses: queued → sending → accepted → sent →
 * delivered → read; failed, undelivered and dead are final; held and awaiting_reply wait outside the line.
 */
import { type Kysely, sql } from 'kysely';
import type { Database, OutboundStatus } from '../db/schema';

/** Where each status stands; a status callback only ever moves a row to a higher rank. */
export const STATUS_RANK: Readonly<Partial<Record<OutboundStatus, number>>> = {
  queued: 0,
  sending: 1,
  accepted: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  undelivered: 6,
  dead: 6,
};
export const FINAL_RANK = 6;

/** Rows still in line to be sent: they keep later messages of their conversation waiting. */
export const IN_LINE: readonly OutboundStatus[] = ['queued', 'sending'];

export type Db = Kysely<Database>;

export async function findRow(db: Db, id: number) {
  return db
    .selectFrom('outbound_messages')
    .select(['id', 'conversation_id', 'channel', 'seq', 'status', 'claimed_at', 'provider_message_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export type OutboxRow = NonNullable<Awaited<ReturnType<typeof findRow>>>;

/** True while a message of the same conversation that comes before `row` is still in line. */
export async function hasEarlierInLine(db: Db, row: Pick<OutboxRow, 'conversation_id' | 'seq'>): Promise<boolean> {
  const earlier = await db
    .selectFrom('outbound_messages')
    .select('id')
    .where('conversation_id', '=', row.conversation_id)
    .where('seq', '<', row.seq)
    .where('status', 'in', IN_LINE)
    .limit(1)
    .executeTakeFirst();
  return earlier !== undefined;
}

/** The conversation's first message still in line, if any. */
export async function firstInLine(db: Db, conversationId: string) {
  return db
    .selectFrom('outbound_messages')
    .select(['id', 'status'])
    .where('conversation_id', '=', conversationId)
    .where('status', 'in', IN_LINE)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Starts a send attempt: moves the row from the status it was seen in to `sending` and returns what the sender
 * needs; undefined when another worker (or a callback) changed it first. A row whose provider id is known has
 * reached the provider and is never claimed again.
 */
export async function claim(db: Db, row: Pick<OutboxRow, 'id' | 'status' | 'claimed_at'>) {
  let update = db
    .updateTable('outbound_messages')
    .set({
      status: 'sending',
      claimed_at: new Date(),
      attempts: sql<number>`attempts + 1`,
      status_history: historyWith('sending'),
      updated_at: new Date(),
    })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('provider_message_id', 'is', null);
  update = row.claimed_at === null ? update.where('claimed_at', 'is', null) : update.where('claimed_at', '=', row.claimed_at);
  return update
    .returning(['id', 'channel', 'conversation_id', 'seq', 'author', 'classification', 'language', 'inbound_message_id', 'body_enc', 'quick_replies_enc'])
    .executeTakeFirst();
}

export type ClaimedRow = NonNullable<Awaited<ReturnType<typeof claim>>>;

/** The provider took it. A status callback may have got here first: then only its provider id is filled in. */
export async function settle(db: Db, id: number, status: OutboundStatus, providerMessageId?: string): Promise<void> {
  await db
    .updateTable('outbound_messages')
    .set({
      status: sql<OutboundStatus>`case when status = 'sending' then ${status} else status end`,
      status_history: sql<never>`case when status = 'sending' then ${historyWith(status)} else status_history end`,
      provider_message_id: sql<string | null>`coalesce(provider_message_id, ${providerMessageId ?? null})`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** The provider answered that it did not take the message: back in line for the job's next attempt. */
export async function release(db: Db, id: number): Promise<void> {
  await moveFromSending(db, id, 'queued', { claimed_at: null });
}

/** Final failure of the current attempt (permanent error, opted out, no sender). */
export async function fail(db: Db, id: number, status: 'failed' | 'dead', errorCode: string): Promise<void> {
  await moveFromSending(db, id, status, { last_error_code: errorCode });
}

/** Quiet hours: the row waits until `notBefore`, then the recovery sweep puts it back in line. */
export async function hold(db: Db, id: number, notBefore: Date): Promise<void> {
  await moveFromSending(db, id, 'held', { not_before: notBefore, claimed_at: null });
}

/** WhatsApp window closed: the row waits for the patient's reply. */
export async function awaitReply(db: Db, id: number): Promise<void> {
  await moveFromSending(db, id, 'awaiting_reply', { claimed_at: null });
}

export async function hasAwaitingReply(db: Db, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('outbound_messages')
    .select('id')
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'awaiting_reply')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The patient wrote: messages that waited for the WhatsApp window go back in line, ahead of the reply to this
 * message (they have lower seqs). Runs inside the turn's transaction; returns their ids to enqueue after commit.
 */
export async function releaseAwaitingReply(db: Db, conversationId: string): Promise<number[]> {
  const rows = await db
    .updateTable('outbound_messages')
    .set({ status: 'queued', status_history: historyWith('queued'), updated_at: new Date() })
    .where('conversation_id', '=', conversationId)
    .where('status', '=', 'awaiting_reply')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Held rows whose time has come go back in line; returns their ids. */
export async function releaseDueHeld(db: Db, now: Date, limit: number): Promise<number[]> {
  const rows = await db
    .updateTable('outbound_messages')
    .set({ status: 'queued', status_history: historyWith('queued'), updated_at: now })
    .where('id', 'in', (query) =>
      query.selectFrom('outbound_messages').select('id').where('status', '=', 'held').where('not_before', '<=', now).orderBy('id').limit(limit),
    )
    .where('status', '=', 'held')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

async function moveFromSending(
  db: Db,
  id: number,
  status: OutboundStatus,
  extra: { claimed_at?: null; last_error_code?: string; not_before?: Date },
): Promise<void> {
  await db
    .updateTable('outbound_messages')
    .set({ status, status_history: historyWith(status), updated_at: new Date(), ...extra })
    .where('id', '=', id)
    .where('status', 'in', IN_LINE)
    .execute();
}

/** status_history with one more entry, appended in SQL so concurrent updates never lose one. */
export function historyWith(status: OutboundStatus) {
  return sql<never>`status_history || ${JSON.stringify([{ status, at: new Date().toISOString() }])}::jsonb`;
}
