/**
 * A new patient asks for a first visit: the bot collects name, date of birth, phone, insurance and reason, and leaves a
 * sealed request that staff complete (registering someone in the EMR is the front desk's job, not the bot's). The
 * answers live in the encrypted dialog state until then and never reach a log.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { FlowAction, FlowActionContext } from '../action-registry';

const INTAKE_VAR = 'intake';
const FIELDS = ['name', 'birthDate', 'phone', 'insurance', 'reason'] as const;
type IntakeField = (typeof FIELDS)[number];

function answers(context: FlowActionContext): Record<string, string> {
  const raw = context.vars[INTAKE_VAR];
  return typeof raw === 'string' ? (JSON.parse(raw) as Record<string, string>) : {};
}

/** intake-answer (params.field): keeps the answer, normalised; `invalid` asks again. */
export const intakeAnswerAction: FlowAction = {
  name: 'intake-answer',
  outcomes: ['invalid'],
  run(context) {
    const field = String(context.params.field) as IntakeField;
    if (!FIELDS.includes(field)) throw new Error(`intake-answer: unknown field ${field}`);
    const value = normalise(field, context.text.trim(), context.lang);
    if (value === undefined) return { outcome: 'invalid' };
    return { vars: { [INTAKE_VAR]: JSON.stringify({ ...answers(context), [field]: value }) } };
  },
};

/** intake-submit: the request for staff, once per turn, and a note for the front desk's queue. */
export const intakeSubmitAction: FlowAction = {
  name: 'intake-submit',
  outcomes: [],
  async run(context) {
    await context.scheduling.requestNewPatientVisit(answers(context), `${context.turnKey}:new-patient`);
    await context.recordHandoffRequest('new-patient');
    return {};
  },
};

function normalise(field: IntakeField, text: string, lang: FlowActionContext['lang']): string | undefined {
  if (text === '' || text.length > 200) return undefined;
  if (field === 'birthDate') return birthDate(text, lang);
  if (field === 'phone') {
    const phone = parsePhoneNumberFromString(text, 'US');
    // Possible rather than valid: the length and shape are what a typo breaks; carriers assign the rest.
    return phone?.isPossible() ? phone.number : undefined;
  }
  if (field === 'name') return /\p{L}/u.test(text) ? text : undefined;
  return text;
}

/** 'YYYY-MM-DD' from 1980-04-02, or 04/02/1980 (month first in English, day first in Spanish); a real past date. */
function birthDate(text: string, lang: FlowActionContext['lang']): string | undefined {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const slashed = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : slashed
      ? lang === 'es'
        ? [slashed[3], slashed[2], slashed[1]]
        : [slashed[3], slashed[1], slashed[2]]
      : [];
  if (!year || !month || !day) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const valid = date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  if (!valid || date.getTime() > Date.now() || Number(year) < 1900) return undefined;
  return date.toISOString().slice(0, 10);
}

export const INTAKE_ACTIONS: readonly FlowAction[] = [intakeAnswerAction, intakeSubmitAction];
