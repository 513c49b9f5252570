/**
 * Builds the EMR adapter on first use: the demo EMR indexes the FHIR definitions (about a second), which a process
 * that never reads a patient's record (most tests, a web process answering FAQs) should not pay for at start.
 */
import type { EmrAdapter, EmrAdapterKind } from './emr-adapter';

export function lazyEmrAdapter(kind: EmrAdapterKind, create: () => Promise<EmrAdapter>): EmrAdapter {
  let adapter: Promise<EmrAdapter> | undefined;
  const get = () =>
    (adapter ??= create().catch((error: unknown) => {
      adapter = undefined; // a failed start (EHR unreachable) is tried again on the next request
      throw error;
    }));
  return {
    kind,
    matchPatient: async (criteria) => (await get()).matchPatient(criteria),
    listPatients: async () => (await get()).listPatients(),
    listUpcoming: async (patientEmrId, from) => (await get()).listUpcoming(patientEmrId, from),
    close: async () => {
      if (adapter) await (await adapter).close();
    },
  };
}
