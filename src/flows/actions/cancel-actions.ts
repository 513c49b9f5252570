/**
 * The steps of cancelling an appointment by conversation: which one (PHI, shown only where allowed), why (a reason
 * code for the practice, never the patient's own words), and the cancellation itself, read back through the gate.
 */
import { describeAppointment } from '../../scheduling/appointment-wording';
import { normalizeForMatching } from '../text-matching';
import type { FlowAction, FlowActionContext, FlowActionResult } from '../action-registry';
import { chooseAppointment, pickedAppointment, practiceTimeZone, remindedAppointment } from './appointment-choice';

interface CancelState {
  readonly patientId: string;
  readonly appointmentEmrId?: string;
  readonly listed?: readonly string[];
  readonly reason?: string;
}

const CANCEL_VAR = 'cancelling';
const REASONS: readonly [string, RegExp][] = [
  ['feeling-better', /\b(better|fine|recovered|mejor|bien|recuperad[oa])\b/],
  ['schedule-conflict', /\b(work|conflict|busy|schedule|can ?t make|trabajo|ocupad[oa]|horario|no puedo)\b/],
  ['transportation', /\b(ride|car|transport\w*|bus|carro|coche|transporte)\b/],
];

function stateOf(context: FlowActionContext): CancelState {
  const raw = context.vars[CANCEL_VAR];
  if (typeof raw !== 'string') throw new Error('cancel step without a cancellation in progress');
  return JSON.parse(raw) as CancelState;
}

function withState(state: CancelState, outcome?: string, extra: Record<string, string> = {}): FlowActionResult {
  return { ...(outcome ? { outcome } : {}), vars: { [CANCEL_VAR]: JSON.stringify(state), ...extra } };
}

/** cancel-start: `unverified`, `withheld`, `no-appointment`, `choose-appointment` or `chosen`. */
export const cancelStartAction: FlowAction = {
  name: 'cancel-start',
  outcomes: ['unverified', 'withheld', 'no-appointment', 'choose-appointment', 'chosen'],
  async run(context) {
    const patientId = await context.verifiedPatient();
    if (!patientId) return { outcome: 'unverified' };
    const reminded = await remindedAppointment(context, patientId);
    if (reminded) return withState({ patientId, appointmentEmrId: reminded }, 'chosen');
    const choice = await chooseAppointment(context, patientId);
    switch (choice.kind) {
      case 'withheld':
        return { outcome: 'withheld' };
      case 'none':
        return { outcome: 'no-appointment' };
      case 'listed':
        return withState({ patientId, listed: choice.emrIds }, 'choose-appointment', {
          appointmentChoices: choice.quickReplies,
        });
      case 'chosen': {
        const description = describeAppointment(choice.appointment, context.lang, practiceTimeZone(context));
        context.sayPhi(context.lang === 'es' ? `Su cita: ${description}.` : `Your appointment: ${description}.`, {
          topic: 'appointments',
          patientId,
        });
        return withState({ patientId, appointmentEmrId: choice.appointment.emrId }, 'chosen');
      }
    }
  },
};

/** cancel-choose: the listed appointment picked; `unclear` asks again. */
export const cancelChooseAction: FlowAction = {
  name: 'cancel-choose',
  outcomes: ['unclear'],
  run(context) {
    const state = stateOf(context);
    const appointmentEmrId = pickedAppointment(context, state.listed ?? []);
    if (!appointmentEmrId) return { outcome: 'unclear' };
    return withState({ ...state, appointmentEmrId });
  },
};

/** cancel-reason: the answer to "why?" as a code; anything else is `other`. */
export const cancelReasonAction: FlowAction = {
  name: 'cancel-reason',
  outcomes: [],
  run(context) {
    const fromPayload = context.payload?.match(/^reason:(.+)$/)?.[1];
    const words = normalizeForMatching(context.text);
    const reason = fromPayload ?? REASONS.find(([, pattern]) => pattern.test(words))?.[0] ?? 'other';
    return withState({ ...stateOf(context), reason });
  },
};

/** cancel-appointment: cancels in the EMR and says so (PHI); `waiting` if the EMR is down, `rejected` if refused. */
export const cancelAppointmentAction: FlowAction = {
  name: 'cancel-appointment',
  outcomes: ['waiting', 'rejected'],
  async run(context) {
    const state = stateOf(context);
    if (!state.appointmentEmrId) return { outcome: 'rejected' };
    const outcome = await context.scheduling.cancel({
      patientId: state.patientId,
      appointmentEmrId: state.appointmentEmrId,
      reason: state.reason ?? 'other',
      idempotencyKey: `${context.turnKey}:cancel`,
    });
    if (outcome.status === 'waiting_for_emr') return { outcome: 'waiting' };
    if (outcome.status !== 'cancelled') return { outcome: 'rejected' };
    const text = context.lang === 'es' ? 'Listo, su cita quedó cancelada.' : 'Done, your appointment is cancelled.';
    context.sayPhi(text, { topic: 'appointments', patientId: state.patientId });
    return {};
  },
};

/** confirm-appointment: C after a reminder confirms that visit; `unknown` when no reminder is being answered. */
export const confirmAppointmentAction: FlowAction = {
  name: 'confirm-appointment',
  outcomes: ['unknown'],
  async run(context) {
    const trackedId = context.memory.remindedOf;
    const patientId = await context.verifiedPatient();
    if (trackedId === undefined || !patientId) return { outcome: 'unknown' };
    if (!(await remindedAppointment(context, patientId))) return { outcome: 'unknown' };
    await context.scheduling.confirmReminded(trackedId);
    return {};
  },
};

export const CANCEL_ACTIONS: readonly FlowAction[] = [
  confirmAppointmentAction,
  cancelStartAction,
  cancelChooseAction,
  cancelReasonAction,
  cancelAppointmentAction,
];
