/**
 * What a practice manager edits, as one value: the practice's details, each location's details, FAQ answers, the
 * flows and the NLU training phrases. Operational settings (PHI policy, handoff routing and targets, quiet hours,
 * retention, time zones) stay outside: they are configured, not edited in /admin, and a publish never touches them.
 */
import { z } from 'zod';
import { flowDefinitionSchema } from '../flows/flow-schema';
import { locationDetailsSchema, practiceProfileSchema } from '../practice/practice-profile';

/** The keys of `practices.profile` that are content. */
export const PRACTICE_DETAIL_KEYS = [
  'phone',
  'fax',
  'email',
  'website',
  'billing',
  'insurancePlans',
  'services',
  'newPatients',
] as const;

export const practiceDetailsSchema = practiceProfileSchema.pick({
  phone: true,
  fax: true,
  email: true,
  website: true,
  billing: true,
  insurancePlans: true,
  services: true,
  newPatients: true,
});

const faqTopic = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case words joined by dashes');

export const trainingIntentSchema = z
  .object({
    name: z.string().trim().min(1),
    fallback: z.boolean(),
    phrases: z.object({ en: z.array(z.string().trim().min(1)), es: z.array(z.string().trim().min(1)) }).strict(),
  })
  .strict();

export const contentBundleSchema = z
  .object({
    practice: z.object({ name: z.string().trim().min(1), details: practiceDetailsSchema }).strict(),
    locations: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().trim().min(1),
            timeZone: z.string().min(1),
            details: locationDetailsSchema,
          })
          .strict(),
      )
      .min(1),
    faq: z.array(z.object({ topic: faqTopic, en: z.string().optional(), es: z.string().optional() }).strict()),
    flows: z.array(flowDefinitionSchema),
    training: z.array(trainingIntentSchema),
  })
  .strict();

export type ContentBundle = z.infer<typeof contentBundleSchema>;
export type BundleFlow = ContentBundle['flows'][number];
export type TrainingIntentContent = z.infer<typeof trainingIntentSchema>;

/**
 * The stored form: flows without the `kind` the schema derives from each step's key, everything in a stable order
 * (flows, FAQ topics and intents by name), so equal content is equal JSON and exports are byte-for-byte stable.
 */
export function canonicalBundle(bundle: ContentBundle): ContentBundle {
  return {
    practice: bundle.practice,
    locations: bundle.locations,
    faq: [...bundle.faq].sort((a, b) => byCodeUnits(a.topic, b.topic)),
    flows: [...bundle.flows].map(withoutKinds).sort((a, b) => byCodeUnits(a.id, b.id)),
    training: [...bundle.training].sort((a, b) => byCodeUnits(a.name, b.name)),
  };
}

/** The order of file names in intents/ (training order matters to the classifier); not locale-dependent. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function withoutKinds(flow: BundleFlow): BundleFlow {
  return {
    ...flow,
    steps: flow.steps.map(
      (step) => Object.fromEntries(Object.entries(step).filter(([key]) => key !== 'kind')) as typeof step,
    ),
  };
}

/** Parses stored or imported content; throws the zod error (callers word it). */
export function parseBundle(value: unknown): ContentBundle {
  return canonicalBundle(contentBundleSchema.parse(value));
}
