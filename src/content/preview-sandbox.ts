/**
 * The editor's preview: a chat that runs the draft (its flows, practice details and training phrases) in memory.
 * Nothing reaches a patient, the outbox or the EMR: dialog state lives in memory, nobody is ever verified (so no
 * scheduling action gets past identity), and a handoff or a new-patient request only says what would happen.
 * The model is rebuilt when the draft changes; each manager's preview is its own conversation.
 */
import crypto from 'node:crypto';
import { MemoryStorage } from 'botbuilder';
import { BotEngine } from '../conversation/bot-engine';
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { TurnInfo } from '../conversation/turn-info';
import type { Conversation } from '../db/schema';
import type { ActionRegistry, ConversationMemory, FlowScheduling } from '../flows/action-registry';
import { LocalNluEngine } from '../nlu/local-nlu-engine';
import type { Language } from '../nlu/nlu-engine';
import type { PracticeContent, PracticeProfile } from '../practice/practice-profile';
import type { ContentBundle } from './content-bundle';
import { trainingDataOf } from './content-runtime';

export interface PreviewLine {
  readonly role: 'patient' | 'bot' | 'note';
  readonly text: string;
}

interface PreviewConversation {
  readonly id: string;
  readonly lines: PreviewLine[];
  memory: ConversationMemory;
  stamp: string;
}

/** Previews kept at once (one per manager in practice); the least recently used goes first. */
const MAX_PREVIEWS = 50;
/** The draft's flows compile under this version, apart from every published one. */
const PREVIEW_VERSION = 0;

export interface PreviewSandboxDeps {
  readonly practiceId: string;
  readonly actions: ActionRegistry;
  /** The live profile, for the settings a draft does not carry (PHI policy, handoff, quiet hours). */
  readonly liveProfile: () => Promise<PracticeProfile>;
  readonly now: () => Date;
}

export class PreviewSandbox {
  private model?: { readonly stamp: string; readonly bot: BotEngine; readonly nlu: LocalNluEngine };
  private readonly conversations = new Map<string, PreviewConversation>();

  constructor(private readonly deps: PreviewSandboxDeps) {}

  transcript(key: string): readonly PreviewLine[] {
    return this.conversations.get(key)?.lines ?? [];
  }

  reset(key: string): void {
    this.conversations.delete(key);
  }

  /** One patient message through the draft; `stamp` changes whenever the draft does. */
  async say(key: string, draft: { readonly content: ContentBundle; readonly stamp: string }, text: string) {
    const model = await this.modelFor(draft);
    const conversation = this.conversationFor(key, draft.stamp);
    conversation.lines.push({ role: 'patient', text });
    const nlu = await model.nlu.parse(text);
    const info = await this.turnInfo(conversation, draft.content, text, nlu);
    await model.bot.runTurn(
      {
        type: 'message',
        id: crypto.randomUUID(),
        channelId: 'webchat',
        conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
        from: { id: 'preview-patient', name: '' },
        recipient: { id: 'concierge', name: '' },
        text,
        timestamp: info.now,
      },
      info,
    );
    conversation.memory = info.memory;
    conversation.lines.push(...info.drafts.map(lineOf));
    return conversation.lines;
  }

  private async modelFor(draft: { readonly content: ContentBundle; readonly stamp: string }) {
    if (this.model?.stamp === draft.stamp) return this.model;
    const nlu = new LocalNluEngine({
      loadTrainingData: async () => trainingDataOf(draft.content),
      warmUpEntities: false,
    });
    await nlu.train();
    const flows = draft.content.flows.map((definition) => ({ definition, version: PREVIEW_VERSION }));
    const bot = new BotEngine(new MemoryStorage(), { published: flows, archived: [] }, this.deps.actions);
    this.model = { stamp: draft.stamp, bot, nlu };
    return this.model;
  }

  private conversationFor(key: string, stamp: string): PreviewConversation {
    let conversation = this.conversations.get(key);
    if (conversation && conversation.stamp !== stamp) {
      conversation.lines.push({ role: 'note', text: 'The draft changed: the preview starts its flows again.' });
      conversation = { ...conversation, id: crypto.randomUUID(), memory: { consecutiveMisses: 0 }, stamp };
    }
    conversation ??= { id: crypto.randomUUID(), lines: [], memory: { consecutiveMisses: 0 }, stamp };
    this.conversations.delete(key);
    this.conversations.set(key, conversation);
    while (this.conversations.size > MAX_PREVIEWS) this.conversations.delete(this.conversations.keys().next().value!);
    return conversation;
  }

  private async turnInfo(
    conversation: PreviewConversation,
    content: ContentBundle,
    text: string,
    nlu: Awaited<ReturnType<LocalNluEngine['parse']>>,
  ): Promise<TurnInfo> {
    const lang: Language = nlu.lang;
    const drafts: OutboundDraft[] = [];
    const note = (line: string) => drafts.push({ text: `(Preview) ${line}`, quickReplies: [], classification: 'none' });
    return {
      conversation: {
        id: conversation.id,
        practice_id: this.deps.practiceId,
        channel: 'webchat',
        language: lang,
      } as unknown as Conversation,
      inboundMessageId: 0,
      text,
      lang,
      nlu,
      practice: await this.practiceOf(content),
      now: this.deps.now(),
      drafts,
      memory: conversation.memory,
      recordHandoffRequest: async (reason, department) =>
        void note(`The conversation would now go to ${department ?? 'the routed'} inbox (${reason}).`),
      verifiedPatient: async () => undefined,
      upcomingAppointments: async () => [],
      canDisclose: async () => false,
      scheduling: previewScheduling(note),
    };
  }

  private async practiceOf(content: ContentBundle): Promise<PracticeContent> {
    return {
      id: this.deps.practiceId,
      name: content.practice.name,
      profile: { ...(await this.deps.liveProfile()), ...content.practice.details },
      locations: content.locations,
      faq: new Map(content.faq.map(({ topic, en, es }) => [topic, { en, es }])),
    };
  }
}

/** Nobody is verified in the preview, so these are only reached by a new patient's request. */
function previewScheduling(note: (line: string) => void): FlowScheduling {
  const refuse = async (): Promise<never> => {
    throw new Error('the preview never writes to the EMR');
  };
  return {
    slotSearch: true,
    findSlots: async () => [],
    book: refuse,
    cancel: refuse,
    remindedAppointment: async () => undefined,
    confirmReminded: refuse,
    requestNewPatientVisit: async () => void note("The new patient's details would go to the front desk."),
  };
}

function lineOf(draft: OutboundDraft): PreviewLine {
  const options = draft.quickReplies.map((reply) => reply.title).join(' · ');
  return { role: 'bot', text: options ? `${draft.text}\n[${options}]` : draft.text };
}
