/** Scheduling as a flow sees it during one turn: the turn's transaction, conversation and our patient ids. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { ValidationError } from '../errors';
import type { FlowScheduling } from '../flows/action-registry';
import type { PatientDirectory } from '../identity/patient-directory';
import type { AppointmentTracker } from './appointment-tracker';
import type { SchedulingRequests } from './scheduling-requests';
import type { SchedulingParty, SchedulingService } from './scheduling-service';

export interface TurnSchedulingDeps {
  readonly service: SchedulingService;
  readonly requests: SchedulingRequests;
  readonly directory: PatientDirectory;
  readonly tracker: AppointmentTracker;
}

export function turnScheduling(
  deps: TurnSchedulingDeps,
  trx: Kysely<Database>,
  conversation: { readonly id: string; readonly practice_id: string },
  inboundMessageId: number,
): FlowScheduling {
  const party = async (patientId: string, idempotencyKey: string): Promise<SchedulingParty> => {
    const patient = await deps.directory.get(trx, patientId);
    if (!patient) throw new ValidationError('scheduling for a patient the directory does not know');
    const { id: conversationId, practice_id: practiceId } = conversation;
    return { practiceId, conversationId, inboundMessageId, patientId, patientEmrId: patient.emrId, idempotencyKey };
  };
  return {
    slotSearch: deps.service.capabilities.slotSearch,
    findSlots: (search) => deps.service.findSlots(search),
    book: async ({ patientId, idempotencyKey, ...booking }) =>
      deps.service.book(trx, { ...(await party(patientId, idempotencyKey)), ...booking }),
    cancel: async ({ patientId, idempotencyKey, ...cancelling }) =>
      deps.service.cancel(trx, { ...(await party(patientId, idempotencyKey)), ...cancelling }),
    remindedAppointment: async (trackedId, patientId) => {
      const tracked = await deps.tracker.get(trx, trackedId);
      const current = tracked?.status === 'booked' && tracked.patientId === patientId;
      return current ? tracked.appointmentEmrId : undefined;
    },
    confirmReminded: (trackedId) => deps.tracker.confirm(trx, trackedId),
    requestNewPatientVisit: async (newPatient, idempotencyKey) => {
      await deps.requests.open(trx, {
        practiceId: conversation.practice_id,
        conversationId: conversation.id,
        inboundMessageId,
        patientId: null,
        kind: 'new_patient',
        idempotencyKey,
        details: { newPatient },
        status: 'needs_staff',
      });
    },
  };
}
