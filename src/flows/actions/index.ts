/** The actions flows may use. */
import { ActionRegistry } from '../action-registry';
import { countMissAction, recordHandoffAction } from './conversation-actions';
import { answerHoursAction } from './hours-action';
import { answerFaqAction } from './practice-answer-actions';

export function createActionRegistry(): ActionRegistry {
  return new ActionRegistry([answerHoursAction, answerFaqAction, countMissAction, recordHandoffAction]);
}
