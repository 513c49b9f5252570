/**
 * Processes a conversation's inbound messages one at a time, in arrival order, whichever worker picks them up: each
 * turn runs in one transaction holding the conversation's advisory lock, and writes the replies to the outbox, the
 * dialog state and the "processed" mark together. A worker killed mid-turn leaves the message unprocessed for the
 * next attempt, so each message produces its replies once.
 *
 * Pipeline: emergency rule (before any NLU) → a person owns the conversation? stay quiet, tell the inbox → frustration
 * hands it to a person → NLU → flows. An escalation opens its inbox item in the turn's transaction; its SLA timer and
 * the inbox's live update follow the commit.
 */
import type { ConsentLedger } from '../consent/consent-ledger';
import { phiConsentAcknowledgement, phiConsentAnswer } from '../consent/phi-consent-wording';
import type { PhiGate } from '../consent/phi-gate';
import type { PatientDirectory } from '../identity/patient-directory';
import type { UpcomingAppointments } from '../scheduling/upcoming-appointments';
import { type TurnSchedulingDeps, turnScheduling } from '../scheduling/turn-scheduling';
import type { DraftShaper } from '../channels/draft-shaping';
import { releaseAwaitingReply } from '../channels/outbox-rows';
import type { Queue } from 'bullmq';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Conversation, Database } from '../db/schema';
import { runInTransactionScope } from '../db/transaction-scope';
import { isOptedOut, type OptOutSource, recordOptOut } from '../consent/opt-out-registry';
import { type KeywordKind, classifyKeyword, keywordReply, providerHandledKeyword } from '../compliance/text-keywords';
import type { ConversationMemory } from '../flows/action-registry';
import { detectEmergency, emergencyInstructions } from '../nlu/emergency-rule';
import type { Language, NluCarry, NluEngine, NluResult, NluSession } from '../nlu/nlu-engine';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Department } from '../db/staff-tables';
import type { Escalation, EscalationRequest } from '../handoff/escalations';
import { soundsFrustrated } from '../handoff/frustration';
import { frustrationApology } from '../handoff/handoff-wording';
import type { HandoffRuntime } from '../handoff/handoff-runtime';
import type { PracticeContentCache } from '../practice/practice-repository';
import { type SendOutboundJobData, sendOutboundQueue } from '../queues/send-outbound-queue';
import type { BotEngine } from './bot-engine';
import type { ConversationEvents } from './conversation-events';
import type { ConversationRepository } from './conversation-repository';
import { chooseConversationLanguage } from './language-choice';
import type { OutboundDraft } from './outbound-draft';
import { optionFromReply } from './quick-reply-matching';
import type { TurnInfo } from './turn-info';

const APOLOGY: Record<Language, string> = {
  en: "Sorry, something went wrong on our side. Please try again, or call the office if it's urgent.",
  es: 'Lo sentimos, algo falló de nuestro lado. Inténtelo de nuevo o llame a la oficina si es urgente.',
};

export interface TurnProcessorDeps {
  readonly db: Kysely<Database>;
  readonly repository: ConversationRepository;
  readonly bot: BotEngine;
  readonly nlu: NluEngine;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly events: ConversationEvents;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly intents: Pick<ReadonlySet<string>, 'has'>;
  /** The practice's details, shared with the content runtime (which forgets them after a publish). */
  readonly practices: PracticeContentCache;
  /** Consent changes (STOP, START, free-text revocation) are recorded in the turn's transaction. */
  readonly consent: ConsentLedger;
  /** Every reply passes it before it is written: PHI only where the policy allows, else a secure link. */
  readonly gate: PhiGate;
  readonly directory: PatientDirectory;
  readonly appointments: UpcomingAppointments;
  readonly scheduling: TurnSchedulingDeps;
  /** Escalations to staff: opened in the turn, announced after it commits. */
  readonly handoff: Pick<HandoffRuntime, 'escalations' | 'announce'>;
  /** Fits drafts to the channel (e.g. splits long SMS); identity when absent. */
  readonly shapeDrafts?: DraftShaper;
  readonly now?: () => Date;
}

/** What a committed turn leaves to do: send its replies, announce its escalation, tell staff the patient wrote. */
interface TurnResult {
  readonly outboundIds: number[];
  readonly escalations: Escalation[];
  readonly toStaff: boolean;
}

/** Intents that say nothing about what the patient needs (not used to route a later handoff). */
const CONTENTLESS_INTENTS: ReadonlySet<string> = new Set([
  'none',
  'greeting',
  'thanks',
  'goodbye',
  'help',
  'human.handoff',
]);

/** Replies to a WhatsApp template that only acknowledge it (not understood, or small talk). */
const ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set(['none', 'greeting', 'thanks', 'goodbye']);

export class TurnProcessor {
  constructor(private readonly deps: TurnProcessorDeps) {}

  /** Drains the conversation's unprocessed inbound messages. */
  async processConversation(conversationId: string): Promise<void> {
    await this.deps.events.publish({ type: 'typing', conversationId, on: true }).catch(() => undefined);
    try {
      for (;;) {
        const turn = await this.deps.db.transaction().execute((trx) => this.processNext(trx, conversationId));
        if (turn === undefined) break;
        for (const outboundMessageId of turn.outboundIds)
          await sendOutboundQueue.addJob(this.deps.sendQueue, { outboundMessageId });
        for (const escalation of turn.escalations) await this.deps.handoff.announce(conversationId, escalation);
        if (turn.toStaff) {
          await this.deps.events.publish({ type: 'inbox', conversationId, change: 'message' }).catch(() => undefined);
        }
      }
    } finally {
      await this.deps.events.publish({ type: 'typing', conversationId, on: false }).catch(() => undefined);
    }
  }

  /** One turn; undefined when nothing is left to process. */
  private async processNext(trx: Transaction<Database>, conversationId: string): Promise<TurnResult | undefined> {
    await sql`select pg_advisory_xact_lock(hashtext(${conversationId}))`.execute(trx);
    const stored = await this.deps.repository.nextUnprocessedInbound(trx, conversationId);
    if (!stored) return undefined;
    const conversation = await this.deps.repository.lockConversation(trx, conversationId);
    // The patient wrote, so the WhatsApp window is open again: what waited for it goes first.
    const released = await releaseAwaitingReply(trx, conversationId);
    const inbound = await this.withChosenOption(trx, conversation, stored);
    const started = performance.now();
    const escalations: Escalation[] = [];
    const escalate = async (request: EscalationRequest, lang: Language) => {
      const practice = await this.deps.practices.get(trx, conversation.practice_id);
      const escalation = await this.deps.handoff.escalations.escalate(trx, conversation, practice, request, lang);
      escalations.push(escalation);
      return escalation;
    };
    const { drafts, lang, memory, toStaff } = await this.runPipeline(
      trx,
      conversation,
      inbound,
      released.length > 0,
      escalate,
    );
    const gated = await this.deps.gate.pass(trx, conversation, drafts, { lang, inboundMessageId: inbound.id });
    if (gated.askedConsent) memory.awaitingPhiConsent = true;
    const shaped = this.deps.shapeDrafts
      ? this.deps.shapeDrafts(conversation.channel, gated.drafts, lang)
      : gated.drafts;
    const ids = await this.deps.repository.insertOutbound(trx, conversation, inbound.id, shaped, lang);
    await trx
      .updateTable('conversations')
      .set({ language: lang, memory: JSON.stringify(memory), updated_at: new Date() })
      .where('id', '=', conversationId)
      .execute();
    await this.deps.repository.markInboundProcessed(trx, inbound.id);
    this.deps.metrics.turnDuration.observe((performance.now() - started) / 1000);
    return { outboundIds: [...released, ...ids], escalations, toStaff: toStaff === true };
  }

  private async runPipeline(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string; payload?: string },
    answersNudge: boolean,
    escalate: (request: EscalationRequest, lang: Language) => Promise<Escalation>,
  ): Promise<{ drafts: OutboundDraft[]; lang: Language; memory: ConversationMemory; toStaff?: boolean }> {
    const memory = memoryOf(conversation);
    // The consent question is answered by the very next message or not at all.
    const answersConsentQuestion = memory.awaitingPhiConsent === true;
    memory.awaitingPhiConsent = false;
    const keywordTurn = isTextChannel(conversation.channel)
      ? await this.handleKeyword(trx, conversation, inbound)
      : undefined;
    if (keywordTurn) return { ...keywordTurn, memory };
    const emergency = detectEmergency(inbound.text);
    if (emergency) {
      this.deps.metrics.turns.inc({ outcome: 'emergency' });
      const lang = chooseConversationLanguage(conversation.language, inbound.text, emergency.lang);
      // Staff are alerted (an urgent item, or the open one made urgent); the instructions go even if a person owns it.
      await escalate({ reason: 'emergency', priority: 'urgent' }, lang);
      return {
        drafts: [{ text: emergencyInstructions({ ...emergency, lang }), quickReplies: [], classification: 'none' }],
        lang,
        memory,
      };
    }
    const consentAnswer = answersConsentQuestion ? phiConsentAnswer(inbound.text) : undefined;
    if (consentAnswer) return { ...(await this.answerConsent(trx, conversation, inbound, consentAnswer)), memory };
    const session = { conversationId: conversation.id, carried: memory.nluCarry };
    const guessed = await this.understand(inbound, conversation.language, session);
    rememberCarry(memory, guessed);
    const lang = chooseConversationLanguage(conversation.language, inbound.text, guessed.lang);
    if (conversation.state === 'waiting' || conversation.state === 'assigned') {
      this.deps.metrics.turns.inc({ outcome: 'staff_owned' });
      return { drafts: [], lang, memory, toStaff: true };
    }
    if (soundsFrustrated(inbound.text)) {
      this.deps.metrics.turns.inc({ outcome: 'frustration' });
      const escalation = await escalate({ reason: 'frustration', intent: memory.lastIntent }, lang);
      const texts = [frustrationApology(lang), ...(escalation.notice ? [escalation.notice] : [])];
      return { drafts: texts.map((text) => ({ text, quickReplies: [], classification: 'none' })), lang, memory };
    }
    // Understood in whichever language reads it best ("ok thanks" in a Spanish conversation); answered in `lang`.
    const nlu =
      reminderReply(memory, inbound.text, lang) ??
      (guessed.lang === lang ? guessed : betterResult(await this.parse(inbound.text, lang, session), guessed));
    rememberCarry(memory, nlu);
    if (nlu.intent === 'optout' && isTextChannel(conversation.channel)) {
      // Any reasonable revocation counts (FCC 2024), not only the STOP keyword.
      return { ...(await this.optOut(trx, conversation, inbound, 'free_text', lang, true)), memory };
    }
    if (answersNudge && ACKNOWLEDGEMENTS.has(nlu.intent)) {
      // "ok" or "thanks" to the WhatsApp template: the messages it announced are the answer, nothing more.
      this.deps.metrics.turns.inc({ outcome: 'nudge_reply' });
      return { drafts: [], lang, memory };
    }
    const notices: string[] = [];
    const handOff = async (reason: string, department?: Department) => {
      const escalation = await escalate({ reason, department, intent: memory.lastIntent ?? nlu.intent }, lang);
      if (escalation.notice) notices.push(escalation.notice);
    };
    const info = await this.turnInfo(trx, conversation, inbound, nlu, lang, memory, handOff);
    await this.runBot(trx, conversation, inbound, info);
    if (!CONTENTLESS_INTENTS.has(nlu.intent)) info.memory.lastIntent = nlu.intent;
    // The terms come last, after what the flow said about the request.
    for (const text of notices) info.drafts.push({ text, quickReplies: [], classification: 'none' });
    return { drafts: info.drafts, lang, memory: info.memory };
  }

  /** On channels that show quick replies as numbered options, "2" or the option's words become its payload. */
  private async withChosenOption<T extends { text: string; payload?: string }>(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: T,
  ): Promise<T> {
    if (inbound.payload !== undefined || !NUMBERED_OPTION_CHANNELS.has(conversation.channel)) return inbound;
    const options = await this.deps.repository.latestQuickReplies(trx, conversation.id);
    const payload = options.length > 0 ? optionFromReply(inbound.text, options) : undefined;
    return payload === undefined ? inbound : { ...inbound, payload };
  }

  /** STOP / START / HELP as a whole message, or a keyword the provider already handled and answered. */
  private async handleKeyword(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string; payload?: string },
  ): Promise<{ drafts: OutboundDraft[]; lang: Language } | undefined> {
    const handledByProvider = providerHandledKeyword(inbound.payload);
    const keyword =
      handledByProvider ??
      classifyKeyword(inbound.text, await isOptedOut(trx, conversation.contact_id, conversation.channel));
    if (!keyword) return undefined;
    const lang = chooseConversationLanguage(conversation.language, inbound.text, 'en');
    if (keyword !== 'help')
      return this.optOut(trx, conversation, inbound, 'keyword', lang, !handledByProvider, keyword === 'stop');
    this.deps.metrics.turns.inc({ outcome: 'keyword' });
    return { drafts: handledByProvider ? [] : [await this.keywordDraft(trx, conversation, 'help', lang)], lang };
  }

  /** Records an opt-out (or, with `optedOut` false, a re-subscription) and at most one confirmation. */
  private async optOut(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string },
    source: OptOutSource,
    lang: Language,
    confirm: boolean,
    optedOut = true,
  ): Promise<{ drafts: OutboundDraft[]; lang: Language }> {
    await recordOptOut(trx, this.deps.consent, {
      practiceId: conversation.practice_id,
      contactId: conversation.contact_id,
      channel: conversation.channel,
      optedOut,
      source,
      evidence: { inboundMessageId: inbound.id, wording: inbound.text },
    });
    this.deps.metrics.turns.inc({ outcome: optedOut ? 'opt_out' : 'opt_in' });
    return {
      drafts: confirm ? [await this.keywordDraft(trx, conversation, optedOut ? 'stop' : 'start', lang)] : [],
      lang,
    };
  }

  /** YES or NO to the PHI consent question: recorded with the question's exact text as evidence. */
  private async answerConsent(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string },
    answer: 'yes' | 'no',
  ): Promise<{ drafts: OutboundDraft[]; lang: Language }> {
    const lang = chooseConversationLanguage(conversation.language, inbound.text, 'en');
    const asked = await this.deps.consent.latestEvidence(
      trx,
      conversation.contact_id,
      conversation.channel,
      'phi_messages',
      'requested',
    );
    await this.deps.consent.record(trx, {
      practiceId: conversation.practice_id,
      contactId: conversation.contact_id,
      channel: conversation.channel,
      purpose: 'phi_messages',
      action: answer === 'yes' ? 'granted' : 'revoked',
      source: 'patient_reply',
      actor: `patient:${conversation.contact_id}`,
      evidence: { inboundMessageId: inbound.id, wording: asked?.wording ?? '', reply: inbound.text },
    });
    this.deps.metrics.turns.inc({ outcome: answer === 'yes' ? 'phi_consent_granted' : 'phi_consent_refused' });
    const verified = await this.deps.gate.isVerified(trx, conversation.contact_id);
    return {
      drafts: [{ text: phiConsentAcknowledgement(answer, lang, verified), quickReplies: [], classification: 'none' }],
      lang,
    };
  }

  private async keywordDraft(
    trx: Transaction<Database>,
    conversation: Conversation,
    kind: KeywordKind,
    lang: Language,
  ): Promise<OutboundDraft> {
    const practice = await this.deps.practices.get(trx, conversation.practice_id);
    const text = keywordReply(kind, lang, { practiceName: practice.name, practicePhone: practice.profile.phone });
    return { text, quickReplies: [], classification: 'none', author: 'system' };
  }

  private async runBot(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string; payload?: string },
    info: TurnInfo,
  ): Promise<void> {
    try {
      await runInTransactionScope(trx, () =>
        this.deps.bot.runTurn(
          {
            type: 'message',
            id: String(inbound.id),
            channelId: conversation.channel,
            conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
            from: { id: conversation.contact_id, name: '' },
            recipient: { id: 'concierge', name: '' },
            text: inbound.payload ?? inbound.text,
            value: inbound.payload,
            timestamp: info.now,
          },
          info,
        ),
      );
      this.deps.metrics.turns.inc({ outcome: info.nlu.intent === 'none' ? 'fallback' : 'answered' });
    } catch (error) {
      if (isDatabaseError(error)) throw error;
      // A fault in a flow or action: answer honestly, keep the conversation usable, never crash the worker.
      this.deps.logger.error(
        { err: error, conversationId: conversation.id, inboundMessageId: inbound.id },
        'turn failed',
      );
      this.deps.metrics.errors.inc({ kind: 'turn' });
      info.drafts.splice(0, info.drafts.length, { text: APOLOGY[info.lang], quickReplies: [], classification: 'none' });
    }
  }

  private async understand(
    inbound: { text: string; payload?: string },
    lang: Language | null,
    session: NluSession,
  ): Promise<NluResult> {
    if (inbound.payload && this.deps.intents.has(inbound.payload)) {
      return { intent: inbound.payload, confidence: 1, entities: [], lang: lang ?? 'en' };
    }
    return this.parse(inbound.text, undefined, session);
  }

  private async parse(text: string, lang: Language | undefined, session: NluSession): Promise<NluResult> {
    const started = performance.now();
    const result = await this.deps.nlu.parse(text, lang, session);
    this.deps.metrics.nluDuration.observe((performance.now() - started) / 1000);
    return result;
  }

  private async turnInfo(
    trx: Transaction<Database>,
    conversation: Conversation,
    inbound: { id: number; text: string; payload?: string },
    nlu: NluResult,
    lang: Language,
    memory: ConversationMemory,
    handOff: (reason: string, department?: Department) => Promise<void>,
  ): Promise<TurnInfo> {
    const now = (this.deps.now ?? (() => new Date()))();
    return {
      conversation,
      inboundMessageId: inbound.id,
      text: inbound.text,
      payload: inbound.payload,
      lang,
      nlu,
      practice: await this.deps.practices.get(trx, conversation.practice_id),
      now,
      drafts: [],
      memory,
      recordHandoffRequest: handOff,
      verifiedPatient: async () => (await this.deps.directory.verifiedContact(trx, conversation.contact_id))?.patientId,
      upcomingAppointments: (patientId) =>
        this.deps.appointments.list(trx, patientId, now, {
          actor: 'bot',
          purpose: 'patient_request',
          requestId: `inbound:${inbound.id}`,
        }),
      canDisclose: (patientId) => this.deps.gate.allows(trx, conversation, patientId),
      scheduling: turnScheduling(this.deps.scheduling, trx, conversation, inbound.id),
    };
  }
}

/** Channels without buttons, where quick replies travel as numbered options. */
const NUMBERED_OPTION_CHANNELS = new Set(['sms', 'whatsapp']);

/** Channels where carrier keywords and opt-outs apply (everything but the web chat the patient opens themselves). */
function isTextChannel(channel: string): boolean {
  return channel !== 'webchat';
}

/** An understood intent beats `none`; between two, the more confident. */
function betterResult(first: NluResult, second: NluResult): NluResult {
  if (first.intent === 'none') return second;
  if (second.intent === 'none') return first;
  return first.confidence >= second.confidence ? first : second;
}

/** C, R or X right after a reminder: confirm, reschedule or cancel that appointment. */
function reminderReply(memory: ConversationMemory, text: string, lang: Language): NluResult | undefined {
  if (!memory.remindedOf) return undefined;
  const intent = REMINDER_REPLIES[text.trim().toLowerCase()];
  return intent ? { intent, confidence: 1, entities: [], lang } : undefined;
}

const REMINDER_REPLIES: Readonly<Record<string, string>> = {
  c: 'appointment.confirm',
  r: 'appointment.reschedule',
  x: 'appointment.cancel',
};

function memoryOf(conversation: Conversation): ConversationMemory {
  const { consecutiveMisses, awaitingPhiConsent, remindedOf, lastIntent, nluCarry } = conversation.memory;
  return {
    consecutiveMisses: typeof consecutiveMisses === 'number' ? consecutiveMisses : 0,
    awaitingPhiConsent: awaitingPhiConsent === true,
    ...(typeof remindedOf === 'string' ? { remindedOf } : {}),
    ...(typeof lastIntent === 'string' ? { lastIntent } : {}),
    ...(typeof nluCarry === 'object' && nluCarry !== null ? { nluCarry: nluCarry as NluCarry } : {}),
  };
}

/** The engine's session state for the next turn; a turn understood without it (local fallback) keeps the last. */
function rememberCarry(memory: ConversationMemory, result: NluResult): void {
  if (result.carry !== undefined) memory.nluCarry = result.carry;
}

/** Errors from the database (they carry a SQLSTATE or a connection code) must roll back and retry the turn. */
function isDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('E'));
}
