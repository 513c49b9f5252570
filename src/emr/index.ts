/**
 * The EMR feature: the `EmrAdapter` port and the registry that builds the configured adapter. Only the embedded demo
 * exists so far; FHIR R4 and HL7 v2 adapters plug in here.
 */
import { createDemoEmr, type DemoEmrOptions } from './demo/demo-emr';
import type { EmrAdapter, EmrAdapterKind } from './emr-adapter';

export { EMR_ADAPTER_KINDS } from './emr-adapter';
export type { EmrAdapter, EmrAdapterKind, EmrAppointment, EmrPatient, PatientCriteria } from './emr-adapter';
export { EmrRequestError } from './emr-errors';
export { createDemoEmr } from './demo/demo-emr';
export type { DemoEmr, DemoEmrOptions } from './demo/demo-emr';

export type EmrAdapterOptions = DemoEmrOptions;

/** The adapter of `kind` (the EMR_ADAPTER setting); throws for kinds not built yet. */
export async function createEmrAdapter(kind: EmrAdapterKind, options: EmrAdapterOptions = {}): Promise<EmrAdapter> {
  switch (kind) {
    case 'demo':
      return createDemoEmr(options);
    case 'fhir':
    case 'hl7v2':
      throw new Error(`EMR_ADAPTER=${kind} is not available yet`);
  }
}
