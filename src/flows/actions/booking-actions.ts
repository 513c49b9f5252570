/**
 * The steps of booking (and moving) an appointment by conversation: who is asking, what visit, when, which of the
 * offered times, then the booking itself. Offers of free times carry no PHI; whatever names the patient's own
 * appointments goes through `sayPhi` and the gate.
 */
import type { EmrSlot } from '../../emr/emr-adapter';
import { EmrUnavailableError } from '../../emr/emr-errors';
import { describeAppointment } from '../../scheduling/appointment-wording';
import {
  asksForOtherOptions,
  chosenVisitType,
  pickedOption,
  practitionerWish,
  speaksOfExistingVisit,
  visitTypeIn,
} from '../../scheduling/booking-request';
import { bookedAnswer, NONE_OF_THESE, slotLabel, slotOffer } from '../../scheduling/booking-wording';
import { parseTimePreference, type TimeWindow } from '../../scheduling/time-preference';
import type { FlowAction, FlowActionContext, FlowActionResult } from '../action-registry';
import {
  chooseAppointment,
  pickedAppointment,
  practiceTimeZone as timeZoneOf,
  remindedAppointment,
} from './appointment-choice';
import { type BookingState, bookingVars, readBookingState } from './booking-state';

const OFFER_SIZE = 3;
/** "As soon as possible" and a missing end look this far ahead. */
const HORIZON_DAYS = 30;

function stateOf(context: FlowActionContext): BookingState {
  const state = readBookingState(context.vars);
  if (!state) throw new Error('booking step without a booking in progress');
  return state;
}

/** Where to look, from the patient's words; undefined when they named no time. */
function windowsIn(context: FlowActionContext): readonly TimeWindow[] | undefined {
  const preference = parseTimePreference(context.text, context.lang, context.now, timeZoneOf(context));
  return preference.kind === 'none' ? undefined : preference.windows;
}

/** The next step once the visit type is known: ask when, or offer times. */
function afterVisitType(state: BookingState): FlowActionResult {
  return { outcome: state.windows ? 'offer' : 'need-time', vars: bookingVars(state) };
}

/**
 * booking-start: needs a verified patient (else `unverified`: identity first). A patient who speaks of an existing
 * visit moves it: `choose-appointment` (or straight on when there is one, or the words name its day), `no-appointment`,
 * or `withheld` when this channel may not show their appointments. Otherwise a new booking.
 */
export const bookingStartAction: FlowAction = {
  name: 'booking-start',
  outcomes: ['unverified', 'withheld', 'no-appointment', 'choose-appointment', 'need-visit-type', 'need-time', 'offer'],
  async run(context) {
    const patientId = await context.verifiedPatient();
    if (!patientId) return { outcome: 'unverified' };
    const practitioner = practitionerWish(context.text);
    const base: BookingState = { patientId, offered: [], shown: [], ...(practitioner ? { practitioner } : {}) };
    const reminded = await remindedAppointment(context, patientId);
    if (reminded && context.intent === 'appointment.reschedule') {
      return { outcome: 'need-time', vars: bookingVars({ ...base, rescheduleOf: reminded, visitType: 'follow-up' }) };
    }
    if (context.intent === 'appointment.reschedule' && speaksOfExistingVisit(context.text)) {
      return chooseAppointmentToMove(context, base);
    }
    const visitType = visitTypeIn(context.text);
    const windows = windowsIn(context);
    const state: BookingState = { ...base, ...(visitType ? { visitType } : {}), ...(windows ? { windows } : {}) };
    if (!visitType) return { outcome: 'need-visit-type', vars: bookingVars(state) };
    return afterVisitType(state);
  },
};

async function chooseAppointmentToMove(context: FlowActionContext, base: BookingState): Promise<FlowActionResult> {
  const choice = await chooseAppointment(context, base.patientId);
  switch (choice.kind) {
    case 'withheld':
      return { outcome: 'withheld' };
    case 'none':
      return { outcome: 'no-appointment' };
    case 'listed':
      return {
        outcome: 'choose-appointment',
        vars: {
          ...bookingVars({ ...base, appointmentChoices: choice.emrIds }),
          appointmentChoices: choice.quickReplies,
        },
      };
    case 'chosen': {
      const description = describeAppointment(choice.appointment, context.lang, timeZoneOf(context));
      const text =
        context.lang === 'es'
          ? `Vamos a cambiar su cita: ${description}.`
          : `Let's move your appointment: ${description}.`;
      context.sayPhi(text, { topic: 'appointments', patientId: base.patientId });
      return {
        outcome: 'need-time',
        vars: bookingVars({ ...base, rescheduleOf: choice.appointment.emrId, visitType: 'follow-up' }),
      };
    }
  }
}

/** booking-appointment: reads which listed appointment to move; `unclear` asks again. */
export const bookingAppointmentAction: FlowAction = {
  name: 'booking-appointment',
  outcomes: ['unclear', 'need-time'],
  run(context) {
    const state = stateOf(context);
    const emrId = pickedAppointment(context, state.appointmentChoices ?? []);
    if (!emrId) return { outcome: 'unclear' };
    return { outcome: 'need-time', vars: bookingVars({ ...state, rescheduleOf: emrId, visitType: 'follow-up' }) };
  },
};

/** booking-visit-type: reads the answer to "what is the visit for?". */
export const bookingVisitTypeAction: FlowAction = {
  name: 'booking-visit-type',
  outcomes: ['unclear', 'need-time', 'offer'],
  run(context) {
    const visitType = chosenVisitType(context.text, context.payload);
    if (!visitType) return { outcome: 'unclear' };
    return afterVisitType({ ...stateOf(context), visitType });
  },
};

/** booking-time: reads the answer to "when would suit you?"; a new time forgets what was offered before. */
export const bookingTimeAction: FlowAction = {
  name: 'booking-time',
  outcomes: ['unclear', 'offer'],
  run(context) {
    const windows = windowsIn(context);
    if (!windows) return { outcome: 'unclear' };
    return { outcome: 'offer', vars: bookingVars({ ...stateOf(context), windows, shown: [] }) };
  },
};

/**
 * booking-offer: up to three free times in the wanted windows, not offered before, as quick replies with "none of
 * these". `none` when nothing is free there, `unavailable` when the EMR cannot be reached.
 */
export const bookingOfferAction: FlowAction = {
  name: 'booking-offer',
  outcomes: ['none', 'unavailable', 'pending', 'waiting'],
  async run(context) {
    const state = stateOf(context);
    if (!context.scheduling.slotSearch) return requestWishedTime(context, state);
    let slots: EmrSlot[];
    try {
      slots = await findOffer(context, state);
    } catch (error) {
      if (error instanceof EmrUnavailableError) return { outcome: 'unavailable' };
      throw error;
    }
    if (slots.length === 0) return { outcome: 'none', vars: bookingVars({ ...state, offered: [] }) };
    const timeZone = timeZoneOf(context);
    const choices = [
      ...slots.map((slot, index) => ({ title: slotLabel(slot, context.lang, timeZone), payload: `slot:${index + 1}` })),
      { title: NONE_OF_THESE[context.lang], payload: 'slot:none' },
    ];
    const next: BookingState = {
      ...state,
      offered: slots,
      shown: [...state.shown, ...slots.map((slot) => slot.emrId)],
    };
    return {
      vars: {
        ...bookingVars(next),
        slotOffer: slotOffer(slots.length, context.lang),
        slotChoices: JSON.stringify(choices),
      },
    };
  },
};

/**
 * An EMR without slot search (HL7 v2) gets the wished time as a request: the start of the first window, which its
 * scheduler confirms (or changes) with an SIU; the patient hears when it arrives.
 */
async function requestWishedTime(context: FlowActionContext, state: BookingState): Promise<FlowActionResult> {
  const window = state.windows?.[0] ?? {
    from: context.now,
    to: new Date(context.now.getTime() + HORIZON_DAYS * 86_400_000),
  };
  const start = new Date(Math.max(window.from.getTime(), context.now.getTime()));
  const requested: EmrSlot = {
    emrId: '',
    start,
    end: new Date(start.getTime() + 30 * 60_000),
    practitionerEmrId: '',
    practitionerName: '',
    locationEmrId: '',
    locationName: '',
  };
  const outcome = await context.scheduling.book({
    patientId: state.patientId,
    slot: requested,
    visitType: state.visitType ?? 'follow-up',
    idempotencyKey: `${context.turnKey}:request`,
    ...(state.rescheduleOf ? { rescheduleOf: state.rescheduleOf } : {}),
  });
  if (outcome.status === 'waiting_for_emr') return { outcome: 'waiting' };
  return { outcome: outcome.status === 'pending' || outcome.status === 'booked' ? 'pending' : 'none' };
}

async function findOffer(context: FlowActionContext, state: BookingState): Promise<EmrSlot[]> {
  const windows = state.windows ?? [
    { from: context.now, to: new Date(context.now.getTime() + HORIZON_DAYS * 86_400_000) },
  ];
  const offer: EmrSlot[] = [];
  for (const window of windows) {
    const found = await context.scheduling.findSlots({
      from: window.from,
      to: window.to,
      limit: 50,
      ...(state.visitType ? { visitType: state.visitType } : {}),
    });
    const fresh = found.filter((slot) => !state.shown.includes(slot.emrId));
    const wished = state.practitioner
      ? fresh.filter((slot) => slot.practitionerName.toLowerCase().includes(state.practitioner!))
      : [];
    // A wished-for practitioner first; if they have nothing then, whoever is free.
    offer.push(...(wished.length > 0 ? wished : fresh).slice(0, OFFER_SIZE - offer.length));
    if (offer.length >= OFFER_SIZE) break;
  }
  return offer;
}

/** booking-pick: one of the offered times (`chosen`), other options (`more`), or a new day named (`more`). */
export const bookingPickAction: FlowAction = {
  name: 'booking-pick',
  outcomes: ['chosen', 'more', 'unclear'],
  run(context) {
    const state = stateOf(context);
    const index = pickedOption(context.text, context.payload, 'slot', state.offered.length);
    const chosen = index === undefined ? undefined : state.offered[index];
    if (chosen) {
      // The confirmation names a time and a provider for this patient: PHI, through the gate.
      const label = slotLabel(chosen, context.lang, timeZoneOf(context));
      context.sayPhi(context.lang === 'es' ? `Eligió: ${label}.` : `You chose ${label}.`, {
        topic: 'appointments',
        patientId: state.patientId,
      });
      return { outcome: 'chosen', vars: bookingVars({ ...state, chosen }) };
    }
    const windows = windowsIn(context);
    if (windows) return { outcome: 'more', vars: bookingVars({ ...state, windows, shown: [] }) };
    if (asksForOtherOptions(context.text, context.payload)) return { outcome: 'more' };
    return { outcome: 'unclear' };
  },
};

/**
 * booking-book: books (or moves to) the chosen time; on success the read-back from the EMR is said as PHI.
 * `taken` when someone was faster, `waiting` when the EMR is down (the request is kept and retried), `pending`
 * when the EMR confirms later, `rejected` otherwise.
 */
export const bookingBookAction: FlowAction = {
  name: 'booking-book',
  outcomes: ['taken', 'waiting', 'pending', 'rejected'],
  async run(context) {
    const state = stateOf(context);
    if (!state.chosen) return { outcome: 'rejected' };
    const outcome = await context.scheduling.book({
      patientId: state.patientId,
      slot: state.chosen,
      visitType: state.visitType ?? 'follow-up',
      idempotencyKey: `${context.turnKey}:book`,
      ...(state.rescheduleOf ? { rescheduleOf: state.rescheduleOf } : {}),
    });
    switch (outcome.status) {
      case 'booked':
        context.sayPhi(
          bookedAnswer(
            describeAppointment(outcome.appointment, context.lang, timeZoneOf(context)),
            context.lang,
            Boolean(state.rescheduleOf),
          ),
          { topic: 'appointments', patientId: state.patientId },
        );
        return {};
      case 'slot_taken':
        return { outcome: 'taken', vars: bookingVars({ ...state, offered: [] }) };
      case 'waiting_for_emr':
        return { outcome: 'waiting' };
      case 'pending':
        return { outcome: 'pending' };
      default:
        return { outcome: 'rejected' };
    }
  },
};

/** offer-verification: the secure link that proves who the patient is (a PHI reply about nobody becomes one). */
export const offerVerificationAction: FlowAction = {
  name: 'offer-verification',
  outcomes: [],
  run({ sayPhi }) {
    sayPhi('', { topic: 'appointments', patientId: null });
    return {};
  },
};

export const BOOKING_ACTIONS: readonly FlowAction[] = [
  bookingStartAction,
  bookingAppointmentAction,
  bookingVisitTypeAction,
  bookingTimeAction,
  bookingOfferAction,
  bookingPickAction,
  bookingBookAction,
  offerVerificationAction,
];
