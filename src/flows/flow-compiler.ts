/**
 * Compiles a flow definition into a BotkitConversation: one thread per step, so `next`, choices and action outcomes
 * are thread jumps. Texts are chosen by the dialog's `lang` variable and rendered by us (plain text, no escaping).
 */
import { type BotWorker, type Botkit, BotkitConversation } from 'botkit';
import type { Language } from '../nlu/nlu-engine';
import type { ActionRegistry, FlowActionContext } from './action-registry';
import type { AskStep, FlowDefinition, FlowStep, LocalizedText } from './flow-schema';
import { renderTemplate } from './template';
import { normalizeForMatching } from './text-matching';

/** What compiled flows need from the conversation engine at run time. */
export interface FlowRuntime {
  readonly actions: ActionRegistry;
  /** The action context of the turn `bot` is handling; `vars` are the flow's variables so far. */
  actionContext(bot: BotWorker, params: FlowActionContext['params'], vars: Vars): FlowActionContext;
  /** For an answer that matches no choice: start another flow if the patient asked something else; true if so. */
  divert(bot: BotWorker): Promise<boolean>;
}

type Vars = Record<string, unknown>;

/** Botkit's own action names; a step id must not shadow them. */
export const RESERVED_STEP_IDS = ['default', 'complete', 'stop', 'next', 'repeat', 'wait', 'timeout'] as const;

export function flowDialogId(flow: FlowDefinition, version: number): string {
  return `${flow.id}@${version}`;
}

function languageOf(vars: Vars): Language {
  return vars.lang === 'es' ? 'es' : 'en';
}

function localized(text: LocalizedText) {
  return (_template: unknown, vars: Vars) => renderTemplate(text[languageOf(vars)], vars);
}

function nextStepOf(flow: FlowDefinition, index: number): string {
  const step = flow.steps[index]!;
  if ('next' in step && step.next) return step.next;
  return flow.steps[index + 1]?.id ?? 'complete';
}

/** The choices, the fixed quick replies, or the ones an action left in `quickRepliesFrom` (a JSON list). */
function askQuickReplies(step: AskStep) {
  return (_t: unknown, vars: Vars) => {
    const lang = languageOf(vars);
    if (step.choices) return step.choices.map((c) => ({ title: c.label[lang], payload: c.payload }));
    if (step.quickReplies) return step.quickReplies.map((r) => ({ title: r.label[lang], payload: r.payload }));
    const dynamic = step.quickRepliesFrom === undefined ? undefined : vars[step.quickRepliesFrom];
    return typeof dynamic === 'string' ? (JSON.parse(dynamic) as { title: string; payload: string }[]) : [];
  };
}

/** Matches the choice's payload, its number ("2"), its labels and synonyms, as the whole answer. */
function choicePattern(step: AskStep, choiceIndex: number): RegExp {
  const choice = step.choices![choiceIndex]!;
  const given = [choice.payload, String(choiceIndex + 1), choice.label.en, choice.label.es, ...(choice.synonyms ?? [])];
  // Botkit tests the raw answer: both the words as written ("sí", a payload with dashes) and normalised ("si").
  const words = [...given.map((word) => normalizeForMatching(word).trim()), ...given.map((word) => word.trim())]
    .filter((word) => word.length > 0)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^\\s*(?:${words.join('|')})\\s*$`, 'i');
}

export function compileFlow(
  flow: FlowDefinition,
  version: number,
  controller: Botkit,
  runtime: FlowRuntime,
): BotkitConversation {
  const convo = new BotkitConversation(flowDialogId(flow, version), controller);
  convo.addAction(flow.steps[0]!.id, 'default');
  flow.steps.forEach((step, index) => compileStep(convo, step, nextStepOf(flow, index), runtime));
  return convo;
}

function compileStep(convo: BotkitConversation, step: FlowStep, next: string, runtime: FlowRuntime): void {
  if ('say' in step) {
    const replies = step.quickReplies ?? [];
    convo.addMessage(
      {
        text: localized(step.say),
        quick_replies: (_t: unknown, vars: Vars) =>
          replies.map((r) => ({ title: r.label[languageOf(vars)], payload: r.payload })),
      },
      step.id,
    );
    convo.addAction(next, step.id);
  } else if ('ask' in step) {
    compileAsk(convo, step, next, runtime);
  } else if ('action' in step) {
    convo.before(step.id, async (dialog, bot) => {
      const action = runtime.actions.get(step.action);
      if (!action) throw new Error(`action ${step.action} is not registered`);
      const result = await action.run(runtime.actionContext(bot, step.params ?? {}, dialog.vars));
      for (const [name, value] of Object.entries(result.vars ?? {})) dialog.setVar(name, value);
      const target = result.outcome ? step.outcomes?.[result.outcome] : undefined;
      if (target) await dialog.gotoThread(target);
    });
    convo.addAction(next, step.id);
  } else if ('handoff' in step) {
    const { reason, department } =
      typeof step.handoff === 'string' ? { reason: 'flow_step', department: step.handoff } : step.handoff;
    convo.before(step.id, async (dialog, bot) =>
      runtime.actionContext(bot, {}, dialog.vars).recordHandoffRequest(reason, department),
    );
    convo.addAction(next, step.id);
  } else {
    convo.addAction('complete', step.id);
  }
}

function compileAsk(convo: BotkitConversation, step: AskStep, next: string, runtime: FlowRuntime): void {
  const question = { text: localized(step.ask), quick_replies: askQuickReplies(step) };
  if (!step.choices) {
    convo.addQuestion(
      question,
      [{ default: true, handler: async (_answer, dialog) => dialog.gotoThread(next) }],
      { key: step.id },
      step.id,
    );
    return;
  }
  const handlers = step.choices.map((choice, index) => ({
    type: 'regex',
    pattern: choicePattern(step, index),
    handler: async (_answer: string, dialog: { gotoThread(thread: string): Promise<void> }) =>
      dialog.gotoThread(choice.next),
  }));
  convo.addQuestion(
    question,
    [
      ...handlers,
      {
        default: true,
        handler: async (_answer, dialog, bot) => {
          if (await runtime.divert(bot)) return;
          if (step.otherwise) await dialog.gotoThread(step.otherwise);
          else await dialog.repeat();
        },
      },
    ],
    { key: step.id },
    step.id,
  );
}
