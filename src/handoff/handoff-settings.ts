/**
 * Per-practice escalation settings (practices.profile.handoff): which department takes which kind of request, and
 * each department's reply target. Routing keys are handoff reasons (`prescription_refill`) or the intent the patient
 * was talking about (`faq.billing`); a reason wins over an intent, and anything unrouted goes to the front desk.
 */
import { z } from 'zod';
import { DEPARTMENTS, type Department } from '../db/staff-tables';

const department = z.enum(DEPARTMENTS);

export const DEFAULT_ROUTING: Readonly<Record<string, Department>> = {
  scheduling: 'front_desk',
  appointments: 'front_desk',
  emr_failure: 'front_desk',
  'new-patient': 'front_desk',
  records_request: 'front_desk',
  prescription_refill: 'nurse_line',
  results_inquiry: 'nurse_line',
  emergency: 'nurse_line',
  'prescription.refill': 'nurse_line',
  'results.inquiry': 'nurse_line',
  'faq.billing': 'billing',
  billing: 'billing',
};

export const DEFAULT_SLA_MINUTES = 15;

export const handoffSettingsSchema = z
  .object({
    routing: z.record(z.string(), department).default({}),
    /** Minutes of open office time before a waiting item is re-escalated to a supervisor. */
    slaMinutes: z
      .partialRecord(
        department,
        z
          .number()
          .positive()
          .max(7 * 24 * 60),
      )
      .default({}),
  })
  .strict()
  .default({ routing: {}, slaMinutes: {} });

export type HandoffSettings = z.infer<typeof handoffSettingsSchema>;

/** The department for a request: the practice's routing, then ours, by reason first and then by intent. */
export function routeRequest(
  settings: HandoffSettings,
  request: { readonly reason: string; readonly department?: Department; readonly intent?: string },
): Department {
  if (request.department) return request.department;
  const routing = { ...DEFAULT_ROUTING, ...settings.routing };
  return routing[request.reason] ?? (request.intent ? routing[request.intent] : undefined) ?? 'front_desk';
}

export function slaMinutesFor(settings: HandoffSettings, department: Department): number {
  return settings.slaMinutes[department] ?? DEFAULT_SLA_MINUTES;
}
