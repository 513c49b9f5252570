/**
 * Actions are the code a flow step may run: look up an answer, count a miss, record a request. Each declares the
 * outcomes it can return, so a flow that branches on an outcome that never happens fails validation.
 */
import type { Department } from '../db/staff-tables';
import type { EmrAppointment, EmrSlot, SlotSearch, VisitType } from '../emr/emr-adapter';
import type { SchedulingOutcome } from '../scheduling/scheduling-service';
import type { Language, NluCarry, NluEntity } from '../nlu/nlu-engine';
import type { PracticeContent } from '../practice/practice-profile';

/** Per-conversation memory that outlives a single flow (kept in the dialog state). */
export interface ConversationMemory {
  consecutiveMisses: number;
  /** The PHI consent question was the bot's last word: a YES or NO now answers it. */
  awaitingPhiConsent?: boolean;
  /** A reminder was the bot's last word about this tracked appointment: C, R or X act on it. */
  remindedOf?: string;
  /** The last intent that said what the patient needs: routes a later "talk to a person" (billing → billing). */
  lastIntent?: string;
  /** The NLU engine's session state (Dialogflow's active contexts), never PHI: this column is not encrypted. */
  nluCarry?: NluCarry;
}

/** Scheduling for the turn's conversation: the patient is ours (verified); keys make each change happen once. */
export interface FlowScheduling {
  /** The EMR lists free slots; without it (HL7 v2) a wished time is sent as a request the EHR confirms later. */
  readonly slotSearch: boolean;
  findSlots(search: SlotSearch): Promise<EmrSlot[]>;
  book(ask: {
    readonly patientId: string;
    readonly slot: EmrSlot;
    readonly visitType: VisitType;
    readonly rescheduleOf?: string;
    readonly idempotencyKey: string;
  }): Promise<SchedulingOutcome>;
  cancel(ask: {
    readonly patientId: string;
    readonly appointmentEmrId: string;
    readonly reason: string;
    readonly idempotencyKey: string;
  }): Promise<SchedulingOutcome>;
  /** The appointment a reminder was about, if it is still booked for this patient. */
  remindedAppointment(trackedId: string, patientId: string): Promise<string | undefined>;
  /** Records the patient's confirmation of a reminded appointment. */
  confirmReminded(trackedId: string): Promise<void>;
  /** A new patient's details for staff to register and book (sealed; never sent to the EMR by the bot). */
  requestNewPatientVisit(details: Readonly<Record<string, string>>, idempotencyKey: string): Promise<void>;
}

export interface FlowActionContext {
  readonly lang: Language;
  /** The patient's current message. */
  readonly text: string;
  /** The quick reply's payload when the patient tapped one (or typed its number). */
  readonly payload?: string;
  /** The flow's variables so far: answers to its questions and what earlier actions returned. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Unique to this turn and the same if it is retried: the base of idempotency keys. */
  readonly turnKey: string;
  readonly scheduling: FlowScheduling;
  readonly intent: string;
  readonly entities: readonly NluEntity[];
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly practice: PracticeContent;
  readonly now: Date;
  readonly memory: ConversationMemory;
  /** Hands the conversation to staff (routed by reason, or to `department`); the patient is told on which terms. */
  recordHandoffRequest(reason: string, department?: Department): Promise<void>;
  /** The patient this contact proved to be (date of birth and a code); undefined when it has not. */
  verifiedPatient(): Promise<string | undefined>;
  /** Whether PHI about the patient may be said here as is (else `sayPhi` becomes a secure-link offer). */
  canDisclose(patientId: string): Promise<boolean>;
  /** The patient's upcoming appointments: an audited PHI read. */
  upcomingAppointments(patientId: string): Promise<EmrAppointment[]>;
  /** A reply with no PHI, e.g. an offer of free times with quick replies. */
  say(text: string, quickReplies?: readonly { readonly title: string; readonly payload: string }[]): void;
  /** A reply that carries PHI: the gate lets it go as is only where the policy allows, else sends a secure link. */
  sayPhi(text: string, phi: { readonly topic: string; readonly patientId: string | null }): void;
}

export interface FlowActionResult {
  readonly outcome?: string;
  /** Values the following steps can use as {{name}} (and later actions read from `vars`). */
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
