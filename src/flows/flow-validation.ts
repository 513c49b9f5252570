/**
 * Checks a set of flows beyond their shape: step references, known actions and outcomes, one flow per intent.
 * Every problem names the flow, the step and what is wrong in plain words.
 */
import type { ActionRegistry } from './action-registry';
import type { FlowDefinition, FlowStep } from './flow-schema';

export function findFlowProblems(flows: FlowDefinition[], actions: ActionRegistry): string[] {
  return [...flows.flatMap((flow) => flowProblems(flow, actions)), ...duplicateTriggerProblems(flows)];
}

function flowProblems(flow: FlowDefinition, actions: ActionRegistry): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const step of flow.steps) {
    if (ids.has(step.id)) problems.push(`Flow '${flow.id}': step '${step.id}' appears twice`);
    ids.add(step.id);
  }
  for (const step of flow.steps) {
    for (const target of referencedSteps(step)) {
      if (!ids.has(target))
        problems.push(`Flow '${flow.id}': step '${step.id}' goes to '${target}', which does not exist`);
    }
    if ('action' in step) problems.push(...actionProblems(flow, step.id, step.action, step.outcomes, actions));
  }
  return problems;
}

function actionProblems(
  flow: FlowDefinition,
  stepId: string,
  actionName: string,
  outcomes: Record<string, string> | undefined,
  actions: ActionRegistry,
): string[] {
  const action = actions.get(actionName);
  if (!action) return [`Flow '${flow.id}': step '${stepId}' runs action '${actionName}', which does not exist`];
  return Object.keys(outcomes ?? {})
    .filter((outcome) => !action.outcomes.includes(outcome))
    .map(
      (outcome) =>
        `Flow '${flow.id}': step '${stepId}' handles outcome '${outcome}', which action '${actionName}' never returns ` +
        `(it returns: ${action.outcomes.join(', ') || 'nothing'})`,
    );
}

function referencedSteps(step: FlowStep): string[] {
  const targets: string[] = [];
  if ('next' in step && step.next) targets.push(step.next);
  if ('choices' in step && step.choices) targets.push(...step.choices.map((choice) => choice.next));
  if ('otherwise' in step && step.otherwise) targets.push(step.otherwise);
  if ('outcomes' in step && step.outcomes) targets.push(...Object.values(step.outcomes));
  return targets;
}

function duplicateTriggerProblems(flows: FlowDefinition[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const flow of flows) {
    for (const intent of flow.triggers.intents) {
      const previous = owner.get(intent);
      if (previous) problems.push(`Flow '${flow.id}': intent '${intent}' already starts flow '${previous}'`);
      else owner.set(intent, flow.id);
    }
  }
  return problems;
}
