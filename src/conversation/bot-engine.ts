/**
 * The Botkit side of a turn: a controller with our adapter and the given dialog storage (no Botkit web server, none of its
 * channel adapters), the published flows compiled to dialogs, and routing from the NLU intent to a flow.
 *
 * Botkit's own handleTurn runs its middleware through callbacks that drop rejected promises (a throwing handler
 * becomes an unhandled rejection and the turn never settles), so turns run through `runBotTurn`, which awaits every
 * step and lets errors reach the turn processor.
 */
import { type Activity, type Storage, type TurnContext } from 'botbuilder';
import { DialogTurnStatus } from 'botbuilder-dialogs';
import { type BotWorker, Botkit, type BotkitMessage } from 'botkit';
import type { ActionRegistry, FlowActionContext } from '../flows/action-registry';
import { type FlowRuntime, compileFlow, flowDialogId } from '../flows/flow-compiler';
import type { VersionedFlow } from '../flows/flow-loader';
import { ConciergeAdapter } from './concierge-adapter';
import { type TurnInfo, turnInfoOf } from './turn-info';

export interface FlowVersions {
  readonly published: readonly VersionedFlow[];
  readonly archived: readonly VersionedFlow[];
}

/** Confidence above which an answer that matches no choice is taken as a new question. */
const DIVERT_CONFIDENCE = 0.8;
const FALLBACK_INTENT = 'none';

export class BotEngine {
  private readonly adapter = new ConciergeAdapter();
  private readonly controller: Botkit;
  private readonly dialogByIntent = new Map<string, string>();

  private readonly compiled = new Set<string>();
  private readonly runtime: FlowRuntime;

  /** `storage` holds dialog state: PostgreSQL for patients (PostgresDialogStorage), memory for the editor's preview. */
  constructor(storage: Storage, flows: FlowVersions, actions: ActionRegistry) {
    this.controller = new Botkit({
      adapter: this.adapter,
      storage,
      disable_webserver: true,
      disable_console: true,
    });
    this.runtime = this.createRuntime(actions);
    this.load(flows);
  }

  /**
   * Takes a publish: new versions are compiled next to the old ones (a conversation inside an old version finishes
   * on it, since its dialog stack names that version), and intents start the published versions from now on.
   */
  load(flows: FlowVersions): void {
    for (const { definition, version } of [...flows.archived, ...flows.published]) {
      const id = flowDialogId(definition, version);
      if (this.compiled.has(id)) continue;
      this.controller.addDialog(compileFlow(definition, version, this.controller, this.runtime));
      this.compiled.add(id);
    }
    const byIntent = new Map<string, string>();
    for (const { definition, version } of flows.published)
      for (const intent of definition.triggers.intents) byIntent.set(intent, flowDialogId(definition, version));
    if (!byIntent.has(FALLBACK_INTENT)) throw new Error(`no flow is triggered by the '${FALLBACK_INTENT}' intent`);
    this.dialogByIntent.clear();
    for (const [intent, id] of byIntent) this.dialogByIntent.set(intent, id);
  }

  /** The intents that start a flow now (a quick reply's payload may name one). */
  readonly startingIntents: Pick<ReadonlySet<string>, 'has'> = this.dialogByIntent;

  /** Runs one patient message through the dialogs; what the bot says lands in `info.drafts`. */
  async runTurn(activity: Partial<Activity>, info: TurnInfo): Promise<void> {
    await this.adapter.processTurn(activity, info, (context) => this.runBotTurn(context));
  }

  private async runBotTurn(context: TurnContext): Promise<void> {
    const message = {
      ...(context.activity.channelData as object),
      type: context.activity.type,
      user: context.activity.from.id,
      text: context.activity.text,
      channel: context.activity.conversation.id,
      value: context.activity.value,
      context,
      incoming_message: context.activity,
    } as unknown as BotkitMessage;
    context.turnState.set('botkitMessage', message);
    const dialogContext = await this.controller.dialogSet.createContext(context);
    const bot = await this.controller.spawn(dialogContext);
    const result = await dialogContext.continueDialog();
    // Called directly, not through controller.trigger, which prints handler errors (and dialog state) to the console.
    if (result.status === DialogTurnStatus.empty) await this.startFlow(bot, message);
    await this.controller.saveState(bot);
  }

  private dialogFor(intent: string): string {
    return this.dialogByIntent.get(intent) ?? this.dialogByIntent.get(FALLBACK_INTENT)!;
  }

  private async startFlow(bot: BotWorker, message: BotkitMessage): Promise<void> {
    const info = turnInfoOf(message.context as TurnContext);
    const intent = this.dialogByIntent.has(info.nlu.intent) ? info.nlu.intent : FALLBACK_INTENT;
    if (intent !== FALLBACK_INTENT) info.memory.consecutiveMisses = 0;
    await bot.beginDialog(this.dialogFor(intent), flowVariables(info));
  }

  private createRuntime(actions: ActionRegistry): FlowRuntime {
    return {
      actions,
      actionContext: (bot, params, vars) =>
        actionContextOf(turnInfoOf(bot.getConfig('context') as TurnContext), params, vars),
      divert: async (bot) => {
        const info = turnInfoOf(bot.getConfig('context') as TurnContext);
        const { intent, confidence } = info.nlu;
        if (!this.dialogByIntent.has(intent) || intent === FALLBACK_INTENT || confidence < DIVERT_CONFIDENCE)
          return false;
        info.memory.consecutiveMisses = 0;
        await bot.replaceDialog(this.dialogFor(intent), flowVariables(info));
        return true;
      },
    };
  }
}

/** Variables every flow starts with. */
function flowVariables(info: TurnInfo): Record<string, string> {
  return { lang: info.lang, practiceName: info.practice.name, practicePhone: info.practice.profile.phone };
}

function actionContextOf(
  info: TurnInfo,
  params: FlowActionContext['params'],
  vars: FlowActionContext['vars'],
): FlowActionContext {
  return {
    lang: info.lang,
    text: info.text,
    ...(info.payload === undefined ? {} : { payload: info.payload }),
    vars,
    turnKey: `${info.conversation.id}:${info.inboundMessageId}`,
    scheduling: info.scheduling,
    intent: info.nlu.intent,
    entities: info.nlu.entities,
    params,
    practice: info.practice,
    now: info.now,
    memory: info.memory,
    recordHandoffRequest: (reason, department) => info.recordHandoffRequest(reason, department),
    verifiedPatient: () => info.verifiedPatient(),
    upcomingAppointments: (patientId) => info.upcomingAppointments(patientId),
    canDisclose: (patientId) => info.canDisclose(patientId),
    say: (text, quickReplies = []) => info.drafts.push({ text, quickReplies, classification: 'none' }),
    sayPhi: (text, phi) => info.drafts.push({ text, quickReplies: [], classification: 'phi', phi }),
  };
}
