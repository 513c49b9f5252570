/**
 * What a booking conversation remembers between turns: the wanted visit, where to look, what was offered and chosen.
 * Kept as one JSON flow variable, so it lives in the (encrypted) dialog state and ends with the flow.
 */
import type { EmrSlot, VisitType } from '../../emr/emr-adapter';
import type { TimeWindow } from '../../scheduling/time-preference';

export interface BookingState {
  readonly patientId: string;
  /** Set when moving an existing appointment. */
  readonly rescheduleOf?: string;
  /** The EMR ids of the appointments listed for the patient to pick from, in list order. */
  readonly appointmentChoices?: readonly string[];
  readonly visitType?: VisitType;
  readonly windows?: readonly TimeWindow[];
  /** Lower-case family name the patient asked for. */
  readonly practitioner?: string;
  /** The current offer, and every slot offered so far (not offered again). */
  readonly offered: readonly EmrSlot[];
  readonly shown: readonly string[];
  readonly chosen?: EmrSlot;
}

export const BOOKING_VAR = 'booking';

export function readBookingState(vars: Readonly<Record<string, unknown>>): BookingState | undefined {
  const raw = vars[BOOKING_VAR];
  if (typeof raw !== 'string') return undefined;
  const state = JSON.parse(raw) as BookingState;
  const revive = (slot: EmrSlot): EmrSlot => ({ ...slot, start: new Date(slot.start), end: new Date(slot.end) });
  return {
    ...state,
    offered: state.offered.map(revive),
    ...(state.chosen ? { chosen: revive(state.chosen) } : {}),
    ...(state.windows ? { windows: state.windows.map((w) => ({ from: new Date(w.from), to: new Date(w.to) })) } : {}),
  };
}

export function bookingVars(state: BookingState): Record<string, string> {
  return { [BOOKING_VAR]: JSON.stringify(state) };
}
