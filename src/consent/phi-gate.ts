/**
 * The PHI gate (DESIGN §3 step 3): the one place that decides whether a message may carry PHI to a patient. Drafts
 * pass it on their way into the outbox (`pass`), where a PHI draft the practice's policy forbids becomes a secure
 * link offer and, on a channel that needs consent nobody has asked for yet, the consent question is asked once. At
 * send time `release` checks again (consent may have been revoked meanwhile) and is the only maker of the
 * `GatedMessage` that channel senders accept: a sender given anything else throws, so nothing can go around it.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { OutboundToSend } from '../channels/channel-sender';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Database } from '../db/schema';
import type { PatientDirectory } from '../identity/patient-directory';
import type { Language } from '../nlu/nlu-engine';
import type { PhiPolicy, PhiRule } from '../practice/practice-profile';
import { readPhiPolicy } from './phi-policy-store';
import { type ConsentLedger, currentConsent } from './consent-ledger';
import { phiConsentQuestion, secureLinkOffer } from './phi-consent-wording';

declare const gatedDraft: unique symbol;
/** A draft that went through the gate: the only kind the outbox stores. */
export type GatedDraft = OutboundDraft & { readonly [gatedDraft]: true };

declare const gatedMessage: unique symbol;
/** A message released by the gate at send time: the only kind a channel sender accepts. */
export type GatedMessage = OutboundToSend & { readonly [gatedMessage]: true };

/** Issues the secure link a withheld answer points to. */
export interface SecureLinkIssuer {
  issue(
    db: Kysely<Database>,
    input: { practiceId: string; conversationId: string; contactId: string; patientId: string | null; topic: string },
  ): Promise<{ url: string }>;
}

export interface GateConversation {
  readonly id: string;
  readonly practice_id: string;
  readonly contact_id: string;
  readonly channel: string;
}

export interface GateResult {
  readonly drafts: GatedDraft[];
  /** The consent question went out in this turn: the patient's next YES or NO answers it. */
  readonly askedConsent: boolean;
}

type Decision = 'allowed' | 'ask_consent' | 'secure_link';

const released = new WeakSet<object>();

export class GateBypassError extends Error {
  constructor() {
    super('a message reached a channel sender without passing the PHI gate');
    this.name = 'GateBypassError';
  }
}

/** Senders call this first: only messages the gate released may leave. */
export function assertGated(message: OutboundToSend): asserts message is GatedMessage {
  if (!released.has(message)) throw new GateBypassError();
}

export class PhiGate {
  constructor(
    private readonly deps: {
      readonly directory: PatientDirectory;
      readonly ledger: ConsentLedger;
      readonly audit: AuditLog;
      readonly links: SecureLinkIssuer;
    },
  ) {}

  /** Every draft on its way to the outbox; `inboundMessageId` is the message being answered (evidence). */
  async pass(
    db: Kysely<Database>,
    conversation: GateConversation,
    drafts: readonly OutboundDraft[],
    context: { readonly lang: Language; readonly inboundMessageId: number | null },
  ): Promise<GateResult> {
    const gated: OutboundDraft[] = [];
    let withheld = false;
    let askedConsent = false;
    for (const draft of drafts) {
      if (draft.classification !== 'phi') {
        gated.push(draft);
        continue;
      }
      const patientId = draft.phi?.patientId ?? null;
      const decision = await this.decide(db, conversation, patientId);
      if (decision === 'allowed') {
        await this.audit(db, 'phi.disclosed', patientId, draft.phi?.topic, conversation);
        gated.push(draft);
        continue;
      }
      if (withheld) continue; // one link offer per turn is enough
      withheld = true;
      const topic = draft.phi?.topic ?? 'general';
      const link = await this.deps.links.issue(db, {
        practiceId: conversation.practice_id,
        conversationId: conversation.id,
        contactId: conversation.contact_id,
        patientId,
        topic,
      });
      await this.audit(db, 'phi.withheld', patientId, topic, conversation);
      gated.push({
        text: secureLinkOffer(link.url, context.lang),
        quickReplies: [],
        classification: 'none',
        author: draft.author,
      });
      if (decision === 'ask_consent') {
        gated.push(await this.askConsent(db, conversation, context));
        askedConsent = true;
      }
    }
    return { drafts: gated as GatedDraft[], askedConsent };
  }

  /** At send time: the message as a sender may take it, or undefined when its PHI may no longer go. */
  async release<T extends OutboundToSend>(
    db: Kysely<Database>,
    message: T,
    row: { readonly classification: 'none' | 'phi'; readonly practiceId: string; readonly contactId: string },
  ): Promise<(T & GatedMessage) | undefined> {
    if (row.classification === 'phi') {
      const conversation = {
        id: message.conversationId,
        practice_id: row.practiceId,
        contact_id: row.contactId,
        channel: message.channel,
      };
      const verified = await this.deps.directory.verifiedContact(db, row.contactId);
      if ((await this.decide(db, conversation, verified?.patientId ?? null)) !== 'allowed') return undefined;
    }
    return this.releaseWithoutPhi(message);
  }

  /** A message classified `none` needs no decision: released as is. */
  releaseWithoutPhi<T extends OutboundToSend>(message: T): T & GatedMessage {
    const copy = { ...message };
    released.add(copy);
    return copy as T & GatedMessage;
  }

  /** Whether PHI about `patientId` may go on this conversation as is (a flow asks before it shows a patient's list). */
  async allows(db: Kysely<Database>, conversation: GateConversation, patientId: string): Promise<boolean> {
    return (await this.decide(db, conversation, patientId)) === 'allowed';
  }

  async isVerified(db: Kysely<Database>, contactId: string): Promise<boolean> {
    return (await this.deps.directory.verifiedContact(db, contactId)) !== undefined;
  }

  /** Whether the contact proved to be the patient the PHI is about (a PHI draft about nobody never goes) and, where the policy wants it, consented on this channel. */
  private async decide(
    db: Kysely<Database>,
    conversation: GateConversation,
    patientId: string | null,
  ): Promise<Decision> {
    const rule = await this.ruleFor(db, conversation.practice_id, conversation.channel);
    if (rule === 'never') return 'secure_link';
    const verified = await this.deps.directory.verifiedContact(db, conversation.contact_id);
    const isThePatient = verified !== undefined && verified.patientId === patientId;
    if (rule === 'after_verification') return isThePatient ? 'allowed' : 'secure_link';
    const consent = await currentConsent(db, conversation.contact_id, conversation.channel, 'phi_messages');
    if (consent === 'granted' && isThePatient) return 'allowed';
    return consent === undefined ? 'ask_consent' : 'secure_link';
  }

  /** Read on every decision, not cached: a tightened policy applies to the very next message. */
  private async ruleFor(db: Kysely<Database>, practiceId: string, channel: string): Promise<PhiRule> {
    const policy = await readPhiPolicy(db, practiceId);
    return policy?.[channel as keyof PhiPolicy] ?? 'never';
  }

  private async askConsent(
    db: Kysely<Database>,
    conversation: GateConversation,
    context: { lang: Language; inboundMessageId: number | null },
  ): Promise<OutboundDraft> {
    const wording = phiConsentQuestion(context.lang);
    await this.deps.ledger.record(db, {
      practiceId: conversation.practice_id,
      contactId: conversation.contact_id,
      channel: conversation.channel,
      purpose: 'phi_messages',
      action: 'requested',
      source: 'bot',
      actor: 'bot',
      evidence: {
        wording,
        ...(context.inboundMessageId === null ? {} : { inboundMessageId: context.inboundMessageId }),
      },
    });
    return { text: wording, quickReplies: [], classification: 'none' };
  }

  private async audit(
    db: Kysely<Database>,
    action: string,
    patientId: string | null,
    topic: string | undefined,
    conversation: GateConversation,
  ): Promise<void> {
    await this.deps.audit.append(db, {
      actor: 'bot',
      action,
      patientRef: patientId ? `patient:${patientId}` : `contact:${conversation.contact_id}`,
      purpose: topic ?? 'general',
      details: { channel: conversation.channel, conversation: conversation.id },
    });
  }
}
