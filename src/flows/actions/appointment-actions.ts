/** Actions that read the patient's appointments from the EMR. */
import { upcomingAppointmentsAnswer } from '../../scheduling/appointment-wording';
import type { FlowAction } from '../action-registry';

/**
 * list-appointments: the patient's upcoming visits, as a PHI reply. A contact that has not proved who it is gets
 * no EMR read at all; its PHI draft names no patient, so the gate always answers it with a secure link.
 */
export const listAppointmentsAction: FlowAction = {
  name: 'list-appointments',
  outcomes: [],
  async run({ verifiedPatient, upcomingAppointments, sayPhi, lang, practice }) {
    const patientId = await verifiedPatient();
    if (!patientId) {
      sayPhi('', { topic: 'appointments', patientId: null });
      return {};
    }
    const appointments = await upcomingAppointments(patientId);
    sayPhi(upcomingAppointmentsAnswer(appointments, lang, practice.locations[0]?.timeZone ?? 'UTC'), {
      topic: 'appointments',
      patientId,
    });
    return {};
  },
};
