/**
 * What a person sees when opening a conversation: the patient's whole transcript across channels (every
 * conversation of this contact, and of every contact verified as the same patient), internal notes, the patient's
 * context (verified or not, consent per channel, upcoming appointments) and the channel's limits for a reply.
 * Opening it is a PHI read: audited with the person's id, as is the appointment list.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import { type ChannelCapabilities, isWithinWindow } from '../channels/channel-sender';
import { messengerTakesStaffReply } from '../channels/messenger/messenger-sender';
import { currentConsent } from '../consent/consent-ledger';
import type { PhiGate } from '../consent/phi-gate';
import type { ConversationRepository } from '../conversation/conversation-repository';
import type { Database } from '../db/schema';
import { NotFoundError } from '../errors';
import type { PatientDirectory } from '../identity/patient-directory';
import type { KeyRing } from '../phi/key-ring';
import type { UpcomingAppointments } from '../scheduling/upcoming-appointments';
import type { StaffContext } from './staff-scope';

export interface TranscriptLine {
  readonly at: Date;
  readonly channel: string;
  readonly role: 'patient' | 'bot' | 'staff';
  readonly text: string;
}

export interface ConversationView {
  readonly conversationId: string;
  readonly channel: string;
  readonly state: string;
  readonly transcript: readonly TranscriptLine[];
  readonly notes: ReadonlyArray<{ readonly at: Date; readonly author: string; readonly text: string }>;
  readonly patient: {
    readonly verified: boolean;
    readonly name?: string;
    readonly consent: ReadonlyArray<{ readonly channel: string; readonly messages: string; readonly phi: string }>;
    readonly upcoming: ReadonlyArray<{
      readonly start: Date;
      readonly what: string;
      readonly who: string;
      readonly where: string;
    }>;
  };
  readonly limits: {
    readonly maxLength: number;
    readonly phiAllowed: boolean;
    readonly windowOpen: boolean;
    readonly windowHours?: number;
    /** Messenger past 24 h: a staff reply goes with the HUMAN_AGENT tag (up to 7 days). */
    readonly humanAgentTag: boolean;
    /** Messenger past 7 days: no reply can be sent at all. */
    readonly replyClosed: boolean;
  };
}

export interface ConversationViewDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly repository: ConversationRepository;
  readonly directory: PatientDirectory;
  readonly appointments: UpcomingAppointments;
  readonly gate: PhiGate;
  readonly audit: AuditLog;
  readonly capabilities: (channel: string) => ChannelCapabilities | undefined;
  readonly now: () => Date;
}

const TRANSCRIPT_LIMIT = 300;

export class ConversationViews {
  constructor(private readonly deps: ConversationViewDeps) {}

  async load(staff: StaffContext, conversationId: string, requestId: string): Promise<ConversationView> {
    const { db } = this.deps;
    const conversation = await this.deps.repository.getConversation(db, conversationId);
    if (!conversation || conversation.practice_id !== staff.practiceId) throw new NotFoundError('no such conversation');
    const verified = await this.deps.directory.verifiedContact(db, conversation.contact_id);
    const access = { actor: `staff:${staff.id}`, purpose: 'treatment', requestId };
    await this.deps.audit.append(db, {
      ...access,
      action: 'phi.viewed',
      ...(verified ? { patientRef: `patient:${verified.patientId}` } : {}),
      details: { conversation: conversationId, view: 'inbox_conversation' },
    });
    const related = await this.relatedConversations(conversation.contact_id, verified?.patientId);
    const transcript = await this.linesOf(related);
    const patient = verified ? await this.deps.directory.get(db, verified.patientId) : undefined;
    const upcoming = verified ? await this.deps.appointments.list(db, verified.patientId, this.deps.now(), access) : [];
    const capabilities = this.deps.capabilities(conversation.channel);
    const now = this.deps.now();
    const windowOpen = capabilities ? isWithinWindow(capabilities, conversation.last_inbound_at, now) : true;
    const messengerOpen =
      conversation.channel === 'messenger' && messengerTakesStaffReply(conversation.last_inbound_at, now);
    return {
      conversationId,
      channel: conversation.channel,
      state: conversation.state,
      transcript,
      notes: await this.notes(conversationId),
      patient: {
        verified: verified !== undefined,
        ...(patient ? { name: `${patient.given} ${patient.family}` } : {}),
        consent: await this.consent(related),
        upcoming: upcoming.map((a) => ({
          start: a.start,
          what: a.visitType,
          who: a.practitionerName,
          where: a.locationName,
        })),
      },
      limits: {
        maxLength: capabilities?.maxLength ?? 1000,
        phiAllowed: verified ? await this.deps.gate.allows(db, conversation, verified.patientId) : false,
        windowOpen: conversation.channel === 'messenger' ? true : windowOpen,
        ...(capabilities?.messagingWindowHours ? { windowHours: capabilities.messagingWindowHours } : {}),
        humanAgentTag: messengerOpen && !windowOpen,
        replyClosed: conversation.channel === 'messenger' && !messengerOpen,
      },
    };
  }

  /**
   * The transcript alone, for the open page's live refresh: the page's load already audited the read and fetched the
   * appointments, so a new message costs no EMR call and no audit entry.
   */
  async transcript(staff: StaffContext, conversationId: string): Promise<TranscriptLine[]> {
    const conversation = await this.deps.repository.getConversation(this.deps.db, conversationId);
    if (!conversation || conversation.practice_id !== staff.practiceId) throw new NotFoundError('no such conversation');
    const verified = await this.deps.directory.verifiedContact(this.deps.db, conversation.contact_id);
    return this.linesOf(await this.relatedConversations(conversation.contact_id, verified?.patientId));
  }

  private async linesOf(conversations: ReadonlyArray<{ id: string; channel: string }>): Promise<TranscriptLine[]> {
    const lines: TranscriptLine[] = [];
    for (const other of conversations) {
      for (const entry of await this.deps.repository.transcriptSince(this.deps.db, other.id, 0, TRANSCRIPT_LIMIT))
        lines.push({ at: entry.at, channel: other.channel, role: entry.role, text: entry.text });
    }
    return lines.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-TRANSCRIPT_LIMIT);
  }

  private async relatedConversations(contactId: string, patientId: string | undefined) {
    let query = this.deps.db
      .selectFrom('conversations as c')
      .innerJoin('contacts as k', 'k.id', 'c.contact_id')
      .select(['c.id', 'c.channel', 'c.contact_id'])
      .orderBy('c.created_at');
    query = patientId
      ? query.where((eb) => eb.or([eb('c.contact_id', '=', contactId), eb('k.patient_id', '=', patientId)]))
      : query.where('c.contact_id', '=', contactId);
    return query.execute();
  }

  private async notes(conversationId: string) {
    const rows = await this.deps.db
      .selectFrom('inbox_notes as n')
      .innerJoin('staff_users as s', 's.id', 'n.staff_id')
      .select(['n.created_at', 'n.body_enc', 's.name'])
      .where('n.conversation_id', '=', conversationId)
      .orderBy('n.id')
      .execute();
    return rows.map((row) => ({
      at: row.created_at,
      author: row.name,
      text: row.body_enc === null ? '(Removed after the retention period.)' : this.deps.keyRing.decrypt(row.body_enc),
    }));
  }

  private async consent(conversations: ReadonlyArray<{ contact_id: string; channel: string }>) {
    const seen = new Set<string>();
    const states = [];
    for (const { contact_id: contactId, channel } of conversations) {
      if (seen.has(`${contactId}:${channel}`) || channel === 'webchat') continue;
      seen.add(`${contactId}:${channel}`);
      const messages = await currentConsent(this.deps.db, contactId, channel, 'messages');
      const phi = await currentConsent(this.deps.db, contactId, channel, 'phi_messages');
      states.push({
        channel,
        messages: messages === 'revoked' ? 'opted out' : 'subscribed',
        phi:
          phi === 'granted' ? 'granted' : phi === 'revoked' ? 'refused' : phi === 'requested' ? 'asked' : 'not asked',
      });
    }
    return states;
  }
}
