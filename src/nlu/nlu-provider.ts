/**
 * The NLU engine the configuration asks for: the local NLP.js engine, or Dialogflow ES with the local engine as its
 * fallback (both learn from the published training phrases; Dialogflow's agent is imported from
 * `concierge flows export-dialogflow`).
 */
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { DialogflowNluEngine } from './dialogflow/dialogflow-nlu-engine';
import { createSessionsClient } from './dialogflow/sessions-client';
import { FallbackNluEngine } from './fallback-nlu-engine';
import { LocalNluEngine } from './local-nlu-engine';
import type { NluEngine } from './nlu-engine';
import type { TrainingData } from './training-data';

/** Time allowed past Dialogflow's own deadline before the breaker gives up on a call that did not end. */
const DEADLINE_GUARD_MS = 250;

export interface NluProviderDeps {
  readonly loadTrainingData: () => Promise<TrainingData>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now?: () => Date;
}

type NluSettings = Pick<
  Config,
  | 'NLU_PROVIDER'
  | 'DIALOGFLOW_PROJECT_ID'
  | 'DIALOGFLOW_API_ENDPOINT'
  | 'DIALOGFLOW_CREDENTIALS'
  | 'DIALOGFLOW_TIMEOUT_MS'
  | 'DIALOGFLOW_BREAKER_RESET_MS'
>;

export function createNluEngine(config: NluSettings, deps: NluProviderDeps): NluEngine {
  const local = new LocalNluEngine({ loadTrainingData: deps.loadTrainingData, ...(deps.now ? { now: deps.now } : {}) });
  if (config.NLU_PROVIDER !== 'dialogflow') return local;
  const client = createSessionsClient({
    apiEndpoint: config.DIALOGFLOW_API_ENDPOINT,
    credentials: config.DIALOGFLOW_CREDENTIALS,
  });
  const dialogflow = new DialogflowNluEngine({
    client,
    projectId: config.DIALOGFLOW_PROJECT_ID!,
    deadlineMs: config.DIALOGFLOW_TIMEOUT_MS,
    ...(deps.now ? { now: deps.now } : {}),
  });
  return new FallbackNluEngine({
    primary: dialogflow,
    fallback: local,
    timeoutMs: config.DIALOGFLOW_TIMEOUT_MS + DEADLINE_GUARD_MS,
    resetTimeoutMs: config.DIALOGFLOW_BREAKER_RESET_MS,
    metrics: deps.metrics,
    logger: deps.logger,
  });
}
