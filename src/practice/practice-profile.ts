/**
 * What the bot knows about a practice: contact details, insurance, services, new-patient policy (practices.profile)
 * and each location's address, hours, holidays, directions and parking (locations.details). Validated with zod
 * whenever read, since practice managers will edit them.
 */
import { z } from 'zod';
import { localizedTextSchema } from '../flows/flow-schema';
import { handoffSettingsSchema } from '../handoff/handoff-settings';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
const openingPeriod = z.object({ opens: clockTime, closes: clockTime }).strict();

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const weeklyHoursSchema = z.object(
  Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(openingPeriod)])) as Record<Weekday, z.ZodArray<typeof openingPeriod>>,
);

export const holidaySchema = z
  .object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
    name: localizedTextSchema,
    /** Empty: closed all day. */
    hours: z.array(openingPeriod).default([]),
  })
  .strict();

export const locationDetailsSchema = z
  .object({
    address: z.object({ line1: z.string(), city: z.string(), state: z.string(), postalCode: z.string() }).strict(),
    phone: z.string(),
    fax: z.string().optional(),
    directions: localizedTextSchema,
    parking: localizedTextSchema,
    hours: weeklyHoursSchema,
    holidays: z.array(holidaySchema),
  })
  .strict();

/**
 * `never`: PHI always goes behind a secure link; `after_verification`: to a contact that proved who it is;
 * `consent_and_verification`: and whose consent to PHI on this channel is recorded in the ledger.
 */
export const PHI_RULES = ['never', 'after_verification', 'consent_and_verification'] as const;
export type PhiRule = (typeof PHI_RULES)[number];
const phiRule = z.enum(PHI_RULES);

// Defaults (DESIGN §4): SMS is not secure, so only with consent; Messenger and WhatsApp are third-party platforms.
const phiPolicySchema = z
  .object({
    webchat: phiRule.default('after_verification'),
    sms: phiRule.default('consent_and_verification'),
    whatsapp: phiRule.default('never'),
    messenger: phiRule.default('never'),
  })
  .strict()
  .default({ webchat: 'after_verification', sms: 'consent_and_verification', whatsapp: 'never', messenger: 'never' });

export const practiceProfileSchema = z
  .object({
    phone: z.string(),
    fax: z.string().optional(),
    email: z.string().email().optional(),
    website: z.string().optional(),
    billing: z.object({ phone: z.string(), email: z.string().optional(), hours: localizedTextSchema }).strict(),
    insurancePlans: z.array(z.object({ name: z.string(), aliases: z.array(z.string()).default([]) }).strict()),
    services: z.object({ en: z.array(z.string()), es: z.array(z.string()) }).strict(),
    newPatients: z.object({ accepting: z.boolean(), note: localizedTextSchema }).strict(),
    /** When automated messages that are not replies may go, in the patient's time zone (else the practice's). */
    automatedMessageHours: z
      .object({ from: clockTime, to: clockTime })
      .strict()
      .refine((hours) => hours.from < hours.to, 'from must be before to')
      // The federal rule for automated texts (TCPA): 8am to 9pm.
      .default({ from: '08:00', to: '21:00' }),
    /** When a channel may carry PHI; everywhere else it goes behind a secure link. */
    phiPolicy: phiPolicySchema,
    /** Which department takes which request, and how soon each should answer. */
    handoff: handoffSettingsSchema,
    /** How long message bodies and dialog state are kept (`concierge retention run`, daily in the worker). */
    retention: z
      .object({ messageBodyDays: z.number().int().min(1).max(3650).default(365) })
      .strict()
      .default({ messageBodyDays: 365 }),
  })
  .strict();

export type OpeningPeriod = z.infer<typeof openingPeriod>;
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>;
export type Holiday = z.infer<typeof holidaySchema>;
export type LocationDetails = z.infer<typeof locationDetailsSchema>;
export type PracticeProfile = z.infer<typeof practiceProfileSchema>;
export type PhiPolicy = PracticeProfile['phiPolicy'];

export interface PracticeLocation {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly details: LocationDetails;
}

/** A practice as the flows see it. */
export interface PracticeContent {
  readonly id: string;
  readonly name: string;
  readonly profile: PracticeProfile;
  readonly locations: readonly PracticeLocation[];
  /** Free-text answers managers edit, by topic then language. */
  readonly faq: ReadonlyMap<string, { en?: string; es?: string }>;
}
