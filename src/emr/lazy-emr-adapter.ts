/**
 * Builds the EMR adapter on first use: the demo EMR indexes the FHIR definitions (about a second), which a process
 * that never reads a patient's record (most tests, a web process answering FAQs) should not pay for at start.
 */
import type { EmrAdapter, EmrAdapterKind, EmrCapabilities } from './emr-adapter';

export function lazyEmrAdapter(
  kind: EmrAdapterKind,
  capabilities: EmrCapabilities,
  create: () => Promise<EmrAdapter>,
): EmrAdapter {
  let adapter: Promise<EmrAdapter> | undefined;
  const get = () =>
    (adapter ??= create().catch((error: unknown) => {
      adapter = undefined; // a failed start (EHR unreachable) is tried again on the next request
      throw error;
    }));
  return {
    kind,
    capabilities,
    matchPatient: async (criteria) => (await get()).matchPatient(criteria),
    listPatients: async () => (await get()).listPatients(),
    findSlots: async (search) => (await get()).findSlots(search),
    book: async (request) => (await get()).book(request),
    reschedule: async (appointmentEmrId, request) => (await get()).reschedule(appointmentEmrId, request),
    cancel: async (appointmentEmrId, request) => (await get()).cancel(appointmentEmrId, request),
    getAppointment: async (appointmentEmrId) => (await get()).getAppointment(appointmentEmrId),
    listUpcoming: async (patientEmrId, from) => (await get()).listUpcoming(patientEmrId, from),
    changes: async (cursor) => (await get()).changes(cursor),
    close: async () => {
      if (adapter) await (await adapter).close();
    },
  };
}
