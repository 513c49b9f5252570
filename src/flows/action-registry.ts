/**
 * Actions are the code a flow step may run: look up an answer, count a miss, record a request. Each declares the
 * outcomes it can return, so a flow that branches on an outcome that never happens fails validation.
 */
import type { EmrAppointment } from '../emr/emr-adapter';
import type { Language, NluEntity } from '../nlu/nlu-engine';
import type { PracticeContent } from '../practice/practice-profile';

/** Per-conversation memory that outlives a single flow (kept in the dialog state). */
export interface ConversationMemory {
  consecutiveMisses: number;
  /** The PHI consent question was the bot's last word: a YES or NO now answers it. */
  awaitingPhiConsent?: boolean;
}

export interface FlowActionContext {
  readonly lang: Language;
  /** The patient's current message. */
  readonly text: string;
  readonly intent: string;
  readonly entities: readonly NluEntity[];
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly practice: PracticeContent;
  readonly now: Date;
  readonly memory: ConversationMemory;
  recordHandoffRequest(reason: string): Promise<void>;
  /** The patient this contact proved to be (date of birth and a code); undefined when it has not. */
  verifiedPatient(): Promise<string | undefined>;
  /** The patient's upcoming appointments: an audited PHI read. */
  upcomingAppointments(patientId: string): Promise<EmrAppointment[]>;
  /** A reply that carries PHI: the gate lets it go as is only where the policy allows, else sends a secure link. */
  sayPhi(text: string, phi: { readonly topic: string; readonly patientId: string | null }): void;
}

export interface FlowActionResult {
  readonly outcome?: string;
  /** Values the following steps can use as {{name}}. */
  readonly vars?: Readonly<Record<string, string | number>>;
}

export interface FlowAction {
  readonly name: string;
  readonly outcomes: readonly string[];
  run(context: FlowActionContext): Promise<FlowActionResult> | FlowActionResult;
}

export class ActionRegistry {
  private readonly actions: ReadonlyMap<string, FlowAction>;

  constructor(actions: readonly FlowAction[]) {
    this.actions = new Map(actions.map((action) => [action.name, action]));
  }

  get(name: string): FlowAction | undefined {
    return this.actions.get(name);
  }
}
