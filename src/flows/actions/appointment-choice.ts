/**
 * Which of the patient's upcoming appointments they mean, for moving or cancelling one: the only one, the one on the
 * day they named ("mi cita del viernes"), or a numbered list they pick from. Listing them is PHI: it happens only
 * where the patient may see it, through `sayPhi`, and quick replies carry numbers, never EMR ids.
 */
import type { EmrAppointment } from '../../emr/emr-adapter';
import { describeAppointment } from '../../scheduling/appointment-wording';
import { pickedOption } from '../../scheduling/booking-request';
import { parseTimePreference } from '../../scheduling/time-preference';
import type { FlowActionContext } from '../action-registry';

export type AppointmentChoice =
  | { readonly kind: 'withheld' }
  | { readonly kind: 'none' }
  | { readonly kind: 'chosen'; readonly appointment: EmrAppointment }
  | { readonly kind: 'listed'; readonly emrIds: readonly string[]; readonly quickReplies: string };

const MAX_LISTED = 9;

export function practiceTimeZone(context: FlowActionContext): string {
  return context.practice.locations[0]?.timeZone ?? 'UTC';
}

export async function chooseAppointment(context: FlowActionContext, patientId: string): Promise<AppointmentChoice> {
  if (!(await context.canDisclose(patientId))) {
    context.sayPhi('', { topic: 'appointments', patientId });
    return { kind: 'withheld' };
  }
  const upcoming = await context.upcomingAppointments(patientId);
  if (upcoming.length === 0) return { kind: 'none' };
  const timeZone = practiceTimeZone(context);
  // The day named picks the appointment ("can I change my Friday appointment?"), not a new time.
  const named = parseTimePreference(context.text, context.lang, context.now, timeZone);
  const onNamedDay =
    named.kind === 'window'
      ? upcoming.filter((a) => named.windows.some((w) => a.start >= w.from && a.start < w.to))
      : [];
  const only = onNamedDay.length === 1 ? onNamedDay[0] : upcoming.length === 1 ? upcoming[0] : undefined;
  if (only) return { kind: 'chosen', appointment: only };
  const listed = upcoming.slice(0, MAX_LISTED);
  context.sayPhi(
    listed
      .map((appointment, index) => `${index + 1}. ${describeAppointment(appointment, context.lang, timeZone)}`)
      .join('\n'),
    { topic: 'appointments', patientId },
  );
  const quickReplies = listed.map((_appointment, index) => ({
    title: String(index + 1),
    payload: `appointment:${index + 1}`,
  }));
  return {
    kind: 'listed',
    emrIds: listed.map((appointment) => appointment.emrId),
    quickReplies: JSON.stringify(quickReplies),
  };
}

/**
 * The appointment the reminder just sent was about, when the patient answers it (R, X, C): used once, then
 * forgotten. Undefined if there was none, or it is no longer this patient's booked visit.
 */
export async function remindedAppointment(context: FlowActionContext, patientId: string): Promise<string | undefined> {
  const trackedId = context.memory.remindedOf;
  if (trackedId === undefined) return undefined;
  delete context.memory.remindedOf;
  return context.scheduling.remindedAppointment(trackedId, patientId);
}

/** The EMR id of the listed appointment the patient picked, if they picked one. */
export function pickedAppointment(context: FlowActionContext, listed: readonly string[]): string | undefined {
  const index = pickedOption(context.text, context.payload, 'appointment', listed.length);
  return index === undefined ? undefined : listed[index];
}
