/** What one turn knows, carried on Botkit's TurnContext so adapters, flows and actions share it. */
import type { Department } from '../db/staff-tables';
import type { TurnContext } from 'botbuilder';
import type { Conversation } from '../db/schema';
import type { EmrAppointment } from '../emr/emr-adapter';
import type { ConversationMemory, FlowScheduling } from '../flows/action-registry';
import type { Language, NluResult } from '../nlu/nlu-engine';
import type { PracticeContent } from '../practice/practice-profile';
import type { OutboundDraft } from './outbound-draft';

export interface TurnInfo {
  readonly conversation: Conversation;
  readonly inboundMessageId: number;
  /** What the patient wrote (or the title of the quick reply they tapped). */
  readonly text: string;
  readonly payload?: string;
  readonly lang: Language;
  readonly nlu: NluResult;
  readonly practice: PracticeContent;
  readonly now: Date;
  readonly drafts: OutboundDraft[];
  memory: ConversationMemory;
  /** Hands the conversation to staff (routed by reason, or to `department`); the patient is told on which terms. */
  recordHandoffRequest(reason: string, department?: Department): Promise<void>;
  verifiedPatient(): Promise<string | undefined>;
  upcomingAppointments(patientId: string): Promise<EmrAppointment[]>;
  canDisclose(patientId: string): Promise<boolean>;
  readonly scheduling: FlowScheduling;
}

const TURN_INFO_KEY = Symbol('concierge.turnInfo');

export function attachTurnInfo(context: TurnContext, info: TurnInfo): void {
  context.turnState.set(TURN_INFO_KEY, info);
}

export function turnInfoOf(context: TurnContext): TurnInfo {
  const info = context.turnState.get(TURN_INFO_KEY) as TurnInfo | undefined;
  if (!info) throw new Error('turn has no TurnInfo attached');
  return info;
}
