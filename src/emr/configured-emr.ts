/** The EMR adapter options the environment asks for (EMR_ADAPTER and its FHIR_* / HL7V2_* settings). */
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import type { Hl7v2Tables } from '../db/hl7v2-tables';
import type { Logger } from '../observability/logger';
import type { KeyRing } from '../phi/key-ring';
import { FileDemoEmrStore } from './demo/file-demo-emr-store';
import type { HttpFhirOptions } from './fhir/http-fhir-transport';
import { SmartBackendAuth } from './fhir/smart-backend-auth';
import type { EmrAdapterOptions } from './index';

export interface EmrContext {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly practiceId: string;
  readonly timeZone: string | undefined;
  readonly logger: Logger;
}

export function configuredEmrOptions(config: Config, context: EmrContext): EmrAdapterOptions {
  const { db, keyRing, practiceId, timeZone, logger } = context;
  const [host, port] = config.HL7V2_EHR_ADDRESS?.split(':') ?? [];
  return {
    ...(timeZone ? { timeZone } : {}),
    store: new FileDemoEmrStore(config.dataDir, practiceId, keyRing),
    ...(config.FHIR_BASE_URL ? { fhir: fhirConnection(config, config.FHIR_BASE_URL) } : {}),
    ...(host && port
      ? {
          hl7v2: {
            // The mirror's tables are part of Database; Kysely's handle type does not narrow to a subset of tables.
            db: db as unknown as Kysely<Hl7v2Tables>,
            practiceId,
            keyRing,
            ehr: { host, port: Number(port) },
            listen: { host: config.HL7V2_LISTEN_HOST, port: config.HL7V2_LISTEN_PORT },
            ...(timeZone ? { timeZone } : {}),
            logger,
          },
        }
      : {}),
  };
}

/** The FHIR server and, when FHIR_TOKEN_URL is set, its SMART Backend Services sign-in. */
function fhirConnection(config: Config, baseUrl: string): HttpFhirOptions {
  const { FHIR_TOKEN_URL: tokenUrl, FHIR_CLIENT_ID: clientId, FHIR_PRIVATE_KEY: privateKey } = config;
  if (!tokenUrl || !clientId || !privateKey) return { baseUrl };
  return { baseUrl, auth: new SmartBackendAuth({ tokenUrl, clientId, privateKey }) };
}
