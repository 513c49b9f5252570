/** The actions flows may use. */
import { ActionRegistry, type FlowAction } from '../action-registry';
import { listAppointmentsAction } from './appointment-actions';
import { BOOKING_ACTIONS } from './booking-actions';
import { CANCEL_ACTIONS } from './cancel-actions';
import { INTAKE_ACTIONS } from './intake-actions';
import { countMissAction, recordHandoffAction } from './conversation-actions';
import { answerHoursAction } from './hours-action';
import { answerFaqAction } from './practice-answer-actions';

/** The product's actions, plus any `extra` ones a deployment adds. */
export function createActionRegistry(extra: readonly FlowAction[] = []): ActionRegistry {
  return new ActionRegistry([
    answerHoursAction,
    answerFaqAction,
    countMissAction,
    recordHandoffAction,
    listAppointmentsAction,
    ...BOOKING_ACTIONS,
    ...CANCEL_ACTIONS,
    ...INTAKE_ACTIONS,
    ...extra,
  ]);
}
