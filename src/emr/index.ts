/**
 * The EMR feature: the `EmrAdapter` port and the registry that builds the configured adapter: the embedded demo and
 * any FHIR R4 server share one FHIR adapter; HL7 v2 has its own.
 */
import { createDemoEmr, type DemoEmrOptions } from './demo/demo-emr';
import type { EmrAdapter, EmrAdapterKind, EmrCapabilities } from './emr-adapter';
import { FhirClient } from './fhir/fhir-client';
import { FHIR_CAPABILITIES, FhirEmrAdapter } from './fhir/fhir-emr-adapter';
import { HttpFhirTransport, type HttpFhirOptions } from './fhir/http-fhir-transport';
import { createHl7v2Emr, HL7V2_CAPABILITIES, type Hl7v2EmrOptions } from './hl7v2/hl7v2-adapter';

export { EMR_ADAPTER_KINDS, VISIT_TYPES } from './emr-adapter';
export type * from './emr-adapter';
export { EmrRequestError, EmrUnavailableError } from './emr-errors';
export { createDemoEmr } from './demo/demo-emr';
export type { DemoEmr, DemoEmrOptions, DemoEmrStore } from './demo/demo-emr';

export interface EmrAdapterOptions extends DemoEmrOptions {
  /** For EMR_ADAPTER=fhir. */
  readonly fhir?: HttpFhirOptions;
  /** For EMR_ADAPTER=hl7v2. */
  readonly hl7v2?: Hl7v2EmrOptions;
}

/** What each kind can do, known before the adapter is built (flows choose their path by it). */
export const EMR_CAPABILITIES: Readonly<Record<EmrAdapterKind, EmrCapabilities>> = {
  demo: FHIR_CAPABILITIES,
  fhir: FHIR_CAPABILITIES,
  hl7v2: HL7V2_CAPABILITIES,
};

/** The adapter of `kind` (the EMR_ADAPTER setting); throws for kinds not built yet. */
export async function createEmrAdapter(kind: EmrAdapterKind, options: EmrAdapterOptions = {}): Promise<EmrAdapter> {
  switch (kind) {
    case 'demo':
      return createDemoEmr(options);
    case 'fhir':
      if (!options.fhir) throw new Error('EMR_ADAPTER=fhir needs FHIR_BASE_URL');
      return new FhirEmrAdapter('fhir', new FhirClient(new HttpFhirTransport(options.fhir)));
    case 'hl7v2':
      if (!options.hl7v2) throw new Error('EMR_ADAPTER=hl7v2 needs HL7V2_EHR_ADDRESS');
      return createHl7v2Emr(options.hl7v2);
  }
}
