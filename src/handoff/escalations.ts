/**
 * Escalation: a conversation goes to a person. In the turn's transaction an inbox item opens in the department the
 * request routes to (one open item per conversation), the conversation leaves the bot, and the patient is told on
 * which terms: a reply target while the office is open, else when it opens (the SLA clock counts open time only).
 * A person who is available and has room takes it at once (round-robin); otherwise it waits in the queue.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { InboxPriority } from '../db/inbox-tables';
import type { Database } from '../db/schema';
import type { Department } from '../db/staff-tables';
import type { Language } from '../nlu/nlu-engine';
import type { Metrics } from '../observability/metrics';
import type { PracticeContent, PracticeLocation } from '../practice/practice-profile';
import { addBusinessTime, describeOpening, isOpenAt, nextOpening } from './business-hours';
import { routeRequest, slaMinutesFor } from './handoff-settings';
import { handoffNotice } from './handoff-wording';
import { assignRoundRobin } from './round-robin';

export interface EscalationRequest {
  readonly reason: string;
  readonly department?: Department;
  /** What the patient was talking about, for routing ("faq.billing" → billing). */
  readonly intent?: string;
  readonly priority?: InboxPriority;
}

export interface Escalation {
  readonly itemId: number;
  /** False when an item was already open: nothing new to tell the patient. */
  readonly opened: boolean;
  readonly department: Department;
  readonly dueAt: Date | null;
  /** The terms, for the patient (only when opened). */
  readonly notice?: string;
}

export class Escalations {
  constructor(
    private readonly deps: { readonly audit: AuditLog; readonly metrics?: Metrics; readonly now?: () => Date },
  ) {}

  async escalate(
    trx: Kysely<Database>,
    conversation: { readonly id: string },
    practice: PracticeContent,
    request: EscalationRequest,
    lang: Language,
  ): Promise<Escalation> {
    const open = await trx
      .selectFrom('handoff_requests')
      .selectAll()
      .where('conversation_id', '=', conversation.id)
      .where('state', '<>', 'closed')
      .forUpdate()
      .executeTakeFirst();
    if (open) {
      if (request.priority === 'urgent' && open.priority !== 'urgent') {
        await trx
          .updateTable('handoff_requests')
          .set({ priority: 'urgent', updated_at: new Date() })
          .where('id', '=', open.id)
          .execute();
      }
      return { itemId: open.id, opened: false, department: open.department, dueAt: open.due_at };
    }
    const now = this.now();
    const department = routeRequest(practice.profile.handoff, request);
    const location = practice.locations[0];
    const slaMinutes = slaMinutesFor(practice.profile.handoff, department);
    const dueAt = location
      ? (addBusinessTime(location, now, slaMinutes * 60_000) ?? null)
      : new Date(now.getTime() + slaMinutes * 60_000);
    const item = await trx
      .insertInto('handoff_requests')
      .values({
        conversation_id: conversation.id,
        reason: request.reason,
        department,
        location_id: location?.id ?? null,
        priority: request.priority ?? 'normal',
        due_at: dueAt,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('conversations').set({ state: 'waiting' }).where('id', '=', conversation.id).execute();
    const assignee = await assignRoundRobin(trx, { itemId: item.id, conversationId: conversation.id, department, now });
    await this.deps.audit.append(trx, {
      actor: 'bot',
      action: 'handoff.opened',
      details: { item: item.id, conversation: conversation.id, department, reason: request.reason, assignee },
    });
    this.deps.metrics?.handoffs.inc({ department, reason: request.reason });
    const notice = handoffNotice({
      department,
      lang,
      practicePhone: practice.profile.phone,
      ...termsAt(location, now, slaMinutes, lang),
    });
    return { itemId: item.id, opened: true, department, dueAt, notice };
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

/** A reply target while open; when closed, the next opening in the location's zone. */
function termsAt(
  location: PracticeLocation | undefined,
  now: Date,
  slaMinutes: number,
  lang: Language,
): { replyWithinMinutes?: number; opening?: string } {
  if (!location || isOpenAt(location, now)) return { replyWithinMinutes: slaMinutes };
  const opening = nextOpening(location, now);
  return opening ? { opening: describeOpening(location, opening, now, lang) } : {};
}
