/**
 * The YAML flow format: a flow is triggered by intents and runs steps in order. A step says something, asks with
 * choices, runs a registered action (whose outcome may pick the next step), records a handoff request, or ends.
 * `next` defaults to the following step; the last step ends the flow.
 */
import { z } from 'zod';
import { DEPARTMENTS } from '../db/staff-tables';

const stepId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by dashes');

export const localizedTextSchema = z.object({ en: z.string().min(1), es: z.string().min(1) }).strict();

const quickReplySchema = z.object({ label: localizedTextSchema, payload: z.string().min(1).max(100) }).strict();

const baseStep = { id: stepId, next: stepId.optional() };

const sayStepSchema = z
  .object({ ...baseStep, say: localizedTextSchema, quickReplies: z.array(quickReplySchema).max(10).optional() })
  .strict();

const choiceSchema = z
  .object({
    label: localizedTextSchema,
    payload: z.string().min(1).max(100),
    /** Other words that select this choice (both languages). */
    synonyms: z.array(z.string().min(1)).optional(),
    next: stepId,
  })
  .strict();

/**
 * With choices, the answer picks the next step. Without, any answer is free text: it goes on to `next`, where an
 * action reads it (a date, a name); `quickRepliesFrom` names a variable an earlier action filled with suggestions.
 */
const askStepSchema = z
  .object({
    ...baseStep,
    ask: localizedTextSchema,
    choices: z.array(choiceSchema).min(1).max(10).optional(),
    quickReplies: z.array(quickReplySchema).max(10).optional(),
    quickRepliesFrom: z
      .string()
      .regex(/^[a-zA-Z][a-zA-Z0-9]*$/)
      .optional(),
    /** Where an answer that matches no choice goes; by default the question is asked again. */
    otherwise: stepId.optional(),
  })
  .strict();

const actionStepSchema = z
  .object({
    ...baseStep,
    action: z.string().min(1),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /** Outcome name returned by the action → step to go to. */
    outcomes: z.record(z.string(), stepId).optional(),
  })
  .strict();

/** `handoff: nurse_line` hands the conversation to that department; `{ reason }` lets the practice's routing choose. */
const handoffStepSchema = z
  .object({
    ...baseStep,
    handoff: z.union([
      z.enum(DEPARTMENTS),
      z.object({ department: z.enum(DEPARTMENTS).optional(), reason: z.string().min(1) }).strict(),
    ]),
  })
  .strict();

const endStepSchema = z.object({ id: stepId, end: z.literal(true) }).strict();

const STEP_KINDS = ['say', 'ask', 'action', 'handoff', 'end'] as const;

/**
 * A step's kind is the key it has (say, ask, action, handoff, end); validating against that kind's schema alone
 * gives errors about the step's real fields instead of "matches none of five shapes".
 */
export const flowStepSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null) return value;
    const kinds = STEP_KINDS.filter((kind) => kind in value);
    return kinds.length === 1 ? { ...value, kind: kinds[0] } : value;
  },
  z.discriminatedUnion(
    'kind',
    [
      sayStepSchema.extend({ kind: z.literal('say') }),
      askStepSchema.extend({ kind: z.literal('ask') }),
      actionStepSchema.extend({ kind: z.literal('action') }),
      handoffStepSchema.extend({ kind: z.literal('handoff') }),
      endStepSchema.extend({ kind: z.literal('end') }),
    ],
    { error: () => `a step needs exactly one of: ${STEP_KINDS.join(', ')}` },
  ),
);

export const flowDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case words joined by dashes'),
    description: z.string().optional(),
    triggers: z.object({ intents: z.array(z.string().min(1)).min(1) }).strict(),
    steps: z.array(flowStepSchema).min(1),
  })
  .strict();

export type LocalizedText = z.infer<typeof localizedTextSchema>;
export type FlowStep = z.infer<typeof flowStepSchema>;
export type SayStep = z.infer<typeof sayStepSchema>;
export type AskStep = z.infer<typeof askStepSchema>;
export type ActionStep = z.infer<typeof actionStepSchema>;
export type HandoffStep = z.infer<typeof handoffStepSchema>;
export type FlowDefinition = z.infer<typeof flowDefinitionSchema>;
