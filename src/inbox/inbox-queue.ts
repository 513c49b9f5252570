/**
 * The queue and who owns what: lists by department with waiting time, claim, transfer (to a department or a person,
 * with a note), hand back to the bot, close with an outcome. Each change is one transaction that locks the item, is
 * audited with the person's id, and is announced to every open inbox (ids only).
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { ConversationEvents, InboxChange } from '../conversation/conversation-events';
import type { InboxItemState, InboxPriority } from '../db/inbox-tables';
import type { Database } from '../db/schema';
import { DEPARTMENTS, type Department } from '../db/staff-tables';
import { ValidationError } from '../errors';
import { addBusinessTime } from '../handoff/business-hours';
import { slaMinutesFor } from '../handoff/handoff-settings';
import type { KeyRing } from '../phi/key-ring';
import type { PracticeContent } from '../practice/practice-profile';
import { ForbiddenError, type StaffContext, hasBreakGlass, inScope } from './staff-scope';

export interface QueueItem {
  readonly itemId: number;
  readonly conversationId: string;
  readonly channel: string;
  readonly department: Department;
  readonly state: InboxItemState;
  readonly priority: InboxPriority;
  readonly reason: string;
  readonly waitingSince: Date;
  readonly dueAt: Date | null;
  readonly escalated: boolean;
  readonly assigneeId: string | null;
  readonly assigneeName: string | null;
}

export const OUTCOMES = ['resolved', 'appointment_booked', 'callback_arranged', 'no_response', 'duplicate'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface InboxQueueDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly events: ConversationEvents;
  readonly practice: (db: Kysely<Database>, practiceId: string) => Promise<PracticeContent>;
  /** Starts the SLA timer of an item whose due time changed. */
  readonly startTimer: (itemId: number, dueAt: Date | null) => Promise<void>;
  readonly now: () => Date;
}

export class InboxQueue {
  constructor(private readonly deps: InboxQueueDeps) {}

  /** Open items the person may see, oldest first (urgent ones on top). */
  async list(staff: StaffContext): Promise<QueueItem[]> {
    const rows = await this.deps.db
      .selectFrom('handoff_requests as h')
      .innerJoin('conversations as c', 'c.id', 'h.conversation_id')
      .leftJoin('staff_users as s', 's.id', 'h.assignee_id')
      .select([
        ...(['h.id', 'h.conversation_id', 'c.channel', 'h.department', 'h.state', 'h.priority', 'h.reason'] as const),
        ...(['h.created_at', 'h.due_at', 'h.escalated_at', 'h.assignee_id', 'h.location_id', 's.name'] as const),
      ])
      .where('c.practice_id', '=', staff.practiceId)
      .where('h.state', '<>', 'closed')
      .orderBy('h.created_at')
      .execute();
    return rows
      .filter((row) => inScope(staff, row))
      .map((row) => ({
        itemId: row.id,
        conversationId: row.conversation_id,
        channel: row.channel,
        department: row.department,
        state: row.state,
        priority: row.priority,
        reason: row.reason,
        waitingSince: row.created_at,
        dueAt: row.due_at,
        escalated: row.escalated_at !== null,
        assigneeId: row.assignee_id,
        assigneeName: row.name,
      }))
      .sort((a, b) => Number(b.priority === 'urgent') - Number(a.priority === 'urgent'));
  }

  async openItem(conversationId: string) {
    return this.deps.db
      .selectFrom('handoff_requests')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('state', '<>', 'closed')
      .executeTakeFirst();
  }

  /** Takes a waiting item (or one assigned to someone else, explicitly). */
  async claim(staff: StaffContext, itemId: number): Promise<void> {
    await this.change(staff, itemId, 'inbox.claimed', 'updated', async (trx, item, now) => {
      if (item.assignee_id === staff.id) return {};
      await assign(trx, itemId, item.conversation_id, staff.id, now);
      return { from: item.assignee_id };
    });
  }

  /** To another department (waiting there, SLA restarted) or to a person in scope; the note is kept for them. */
  async transfer(
    staff: StaffContext,
    itemId: number,
    target: { readonly department?: string; readonly assigneeId?: string; readonly note: string },
  ): Promise<void> {
    const note = target.note.trim();
    if (note === '') throw new ValidationError('a transfer needs a note for the person taking over');
    let timer: { itemId: number; dueAt: Date | null } | undefined;
    await this.change(staff, itemId, 'inbox.transferred', 'updated', async (trx, item, now) => {
      await this.insertNote(trx, staff, item.conversation_id, note);
      if (target.assigneeId) {
        const assignee = await trx
          .selectFrom('staff_users')
          .select('id')
          .where('id', '=', target.assigneeId)
          .where('practice_id', '=', staff.practiceId)
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (!assignee) throw new ValidationError('no such colleague');
        await assign(trx, itemId, item.conversation_id, assignee.id, now);
        return { to: assignee.id };
      }
      if (!target.department || !(DEPARTMENTS as readonly string[]).includes(target.department))
        throw new ValidationError(`department must be one of ${DEPARTMENTS.join(', ')}`);
      const department = target.department as Department;
      const practice = await this.deps.practice(trx, staff.practiceId);
      const minutes = slaMinutesFor(practice.profile.handoff, department);
      const location = practice.locations.find((l) => l.id === item.location_id) ?? practice.locations[0];
      const dueAt = location ? (addBusinessTime(location, now, minutes * 60_000) ?? null) : null;
      await trx
        .updateTable('handoff_requests')
        .set({ state: 'waiting', department, assignee_id: null, due_at: dueAt, escalated_at: null, updated_at: now })
        .where('id', '=', itemId)
        .execute();
      await trx.updateTable('conversations').set({ state: 'waiting' }).where('id', '=', item.conversation_id).execute();
      timer = { itemId, dueAt };
      return { to: department };
    });
    if (timer) await this.deps.startTimer(timer.itemId, timer.dueAt);
  }

  /** The bot answers again; the item closes as handed back. */
  async handBack(staff: StaffContext, itemId: number): Promise<void> {
    await this.finish(staff, itemId, 'handed_back', 'inbox.handed_back');
  }

  async close(staff: StaffContext, itemId: number, outcome: string): Promise<void> {
    if (!(OUTCOMES as readonly string[]).includes(outcome))
      throw new ValidationError(`outcome must be one of ${OUTCOMES.join(', ')}`);
    await this.finish(staff, itemId, outcome, 'inbox.closed');
  }

  async addNote(staff: StaffContext, conversationId: string, text: string): Promise<void> {
    const note = text.trim();
    if (note === '' || note.length > 4000) throw new ValidationError('a note is 1 to 4000 characters');
    await this.deps.db.transaction().execute(async (trx) => {
      await this.insertNote(trx, staff, conversationId, note);
      await this.deps.audit.append(trx, {
        actor: `staff:${staff.id}`,
        action: 'inbox.note_added',
        details: { conversation: conversationId },
      });
    });
    await this.publish(conversationId, 'updated');
  }

  /** Available people take new items automatically (round-robin, up to their capacity). */
  async setAvailable(staff: StaffContext, available: boolean): Promise<void> {
    await this.deps.db.updateTable('staff_users').set({ available }).where('id', '=', staff.id).execute();
  }

  private async finish(staff: StaffContext, itemId: number, outcome: string, action: string): Promise<void> {
    await this.change(staff, itemId, action, 'closed', async (trx, item, now) => {
      await trx
        .updateTable('handoff_requests')
        .set({ state: 'closed', closed_at: now, outcome, updated_at: now })
        .where('id', '=', itemId)
        .execute();
      // The conversation goes on with the bot (a web chat keeps its conversation; the next SMS continues it too).
      await trx.updateTable('conversations').set({ state: 'bot' }).where('id', '=', item.conversation_id).execute();
      return { outcome };
    });
  }

  private async insertNote(trx: Kysely<Database>, staff: StaffContext, conversationId: string, note: string) {
    await trx
      .insertInto('inbox_notes')
      .values({ conversation_id: conversationId, staff_id: staff.id, body_enc: this.deps.keyRing.encrypt(note) })
      .execute();
  }

  /** Locks the open item, checks scope, applies `work`, audits and announces. */
  private async change(
    staff: StaffContext,
    itemId: number,
    action: string,
    change: InboxChange,
    work: (
      trx: Kysely<Database>,
      item: { conversation_id: string; assignee_id: string | null; location_id: string | null },
      now: Date,
    ) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    const conversationId = await this.deps.db.transaction().execute(async (trx) => {
      const item = await trx
        .selectFrom('handoff_requests')
        .selectAll()
        .where('id', '=', itemId)
        .where('state', '<>', 'closed')
        .forUpdate()
        .executeTakeFirst();
      if (!item) throw new ValidationError('this item is already closed');
      if (!inScope(staff, item) && !(await hasBreakGlass(trx, staff.id, item.conversation_id, this.deps.now())))
        throw new ForbiddenError();
      const details = await work(trx, item, this.deps.now());
      await this.deps.audit.append(trx, {
        actor: `staff:${staff.id}`,
        action,
        details: { item: itemId, conversation: item.conversation_id, ...details },
      });
      return item.conversation_id;
    });
    await this.publish(conversationId, change);
  }

  private async publish(conversationId: string, change: InboxChange): Promise<void> {
    await this.deps.events.publish({ type: 'inbox', conversationId, change }).catch(() => undefined);
  }
}

/** The item is this person's; the conversation is staff-owned. */
async function assign(trx: Kysely<Database>, itemId: number, conversationId: string, staffId: string, now: Date) {
  await trx
    .updateTable('handoff_requests')
    .set({ state: 'assigned', assignee_id: staffId, claimed_at: now, updated_at: now })
    .where('id', '=', itemId)
    .execute();
  await trx.updateTable('conversations').set({ state: 'assigned' }).where('id', '=', conversationId).execute();
}
