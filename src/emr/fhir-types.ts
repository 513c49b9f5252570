/**
 * The FHIR R4 types the EMR code uses. `@medplum/fhirtypes` is an ES module of types only, so a CommonJS project
 * must name the resolution mode; doing it once here keeps the other imports plain.
 */
export type {
  Appointment,
  Bundle,
  BundleEntry,
  CodeableConcept,
  ContactPoint,
  ExtractResource,
  HumanName,
  Location,
  Patient,
  Practitioner,
  Resource,
  ResourceType,
  Schedule,
  Slot,
  SearchParameter,
} from '@medplum/fhirtypes' with { 'resolution-mode': 'import' };
