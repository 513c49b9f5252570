/**
 * The Dialogflow ES adapter of the NLU port: one `detectIntent` per message, on a session derived from the
 * conversation id (a hash: no phone number, address or name reaches Google), with the patient's identifiers masked
 * first (minimum necessary). The agent is the one `concierge flows export-dialogflow` builds from the same
 * training data, so intent display names are ours and its fallback intent is our `none`.
 *
 * Errors are thrown, not hidden: the caller (`FallbackNluEngine`) decides to answer locally. Each call has a
 * deadline and no retries, because a patient is waiting for this turn.
 */
import crypto from 'node:crypto';
import type { SessionsClient, protos } from '@google-cloud/dialogflow';
import { z } from 'zod';
import { recognizeEntities } from '../entity-recognizer';
import { guessLanguage } from '../language-guess';
import { DEFAULT_CONFIDENCE_THRESHOLD } from '../local-nlu-engine';
import { maskForThirdParty } from '../minimum-necessary';
import {
  type Language,
  type NluCarry,
  type NluEngine,
  type NluResult,
  type NluSession,
  NONE_INTENT,
} from '../nlu-engine';
import { entitiesOfParameters } from './dialogflow-parameters';
import { decodeStruct } from './protobuf-struct';

type QueryResult = protos.google.cloud.dialogflow.v2.IQueryResult;

const LANGUAGE_CODES: Readonly<Record<Language, string>> = { en: 'en-US', es: 'es-US' };

/** Dialogflow refuses a text query longer than this (INVALID_ARGUMENT); the start of a message says what it wants. */
export const MAX_QUERY_LENGTH = 256;

/** What is carried between turns: the active contexts' names and lives, never their parameters (patient words). */
const carriedSchema = z.object({
  contexts: z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_-]+$/), lifespanCount: z.number().int().min(1) })),
});

export interface DialogflowNluEngineOptions {
  readonly client: Pick<SessionsClient, 'detectIntent' | 'projectAgentSessionPath' | 'close'>;
  readonly projectId: string;
  /** Per-request deadline; past it the call fails with DEADLINE_EXCEEDED. */
  readonly deadlineMs: number;
  /** Under this confidence a matched intent counts as `none`, as with the local engine. */
  readonly confidenceThreshold?: number;
  readonly now?: () => Date;
}

export class DialogflowNluEngine implements NluEngine {
  readonly name = 'dialogflow';
  private readonly now: () => Date;

  constructor(private readonly options: DialogflowNluEngineOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The agent is trained in Dialogflow, from the zip `flows export-dialogflow` writes. */
  async train(): Promise<void> {}

  async parse(text: string, lang?: Language, session?: NluSession): Promise<NluResult> {
    const language = lang ?? guessLanguage(text);
    const now = this.now();
    // Recognized once: the masking and the placing of Dialogflow's parameters both need these entities.
    const recognized = recognizeEntities(text, language, now);
    const query = maskForThirdParty(text, language, now, recognized).text.trim().slice(0, MAX_QUERY_LENGTH);
    if (query === '') return { intent: NONE_INTENT, confidence: 1, entities: [], lang: language };
    const sessionPath = this.options.client.projectAgentSessionPath(this.options.projectId, sessionIdOf(session));
    const [response] = await this.options.client.detectIntent(
      {
        session: sessionPath,
        queryInput: { text: { text: query, languageCode: LANGUAGE_CODES[language] } },
        queryParams: { contexts: contextsToSend(session?.carried, sessionPath) },
      },
      { timeout: this.options.deadlineMs, retry: { retryCodes: [] } },
    );
    const result = response.queryResult ?? {};
    return {
      ...this.decide(result),
      entities: entitiesOfParameters(decodeStruct(result.parameters), text, recognized),
      lang: language,
      carry: carryOf(result.outputContexts ?? []),
    };
  }

  async close(): Promise<void> {
    await this.options.client.close();
  }

  private decide(result: QueryResult): { intent: string; confidence: number } {
    const confidence = result.intentDetectionConfidence ?? 0;
    const intent = result.intent;
    if (!intent?.displayName || intent.isFallback) return { intent: NONE_INTENT, confidence };
    if (confidence < (this.options.confidenceThreshold ?? DEFAULT_CONFIDENCE_THRESHOLD)) {
      return { intent: NONE_INTENT, confidence: 1 - confidence };
    }
    return { intent: intent.displayName, confidence };
  }
}

/**
 * A conversation's Dialogflow session id: a hash of its id, so the session is stable across turns and processes
 * and says nothing about the patient. Without a conversation (`nlu parse`) each message gets a session of its own.
 */
export function sessionIdOf(session: NluSession | undefined): string {
  const key = session?.conversationId ?? crypto.randomUUID();
  return crypto.createHash('sha256').update(`clinic-concierge/dialogflow-session\n${key}`).digest('hex').slice(0, 32);
}

function contextsToSend(
  carried: NluCarry | undefined,
  sessionPath: string,
): protos.google.cloud.dialogflow.v2.IContext[] {
  const parsed = carriedSchema.safeParse(carried);
  if (!parsed.success) return [];
  return parsed.data.contexts.map(({ name, lifespanCount }) => ({
    name: `${sessionPath}/contexts/${name}`,
    lifespanCount,
  }));
}

/** The output contexts by short name and remaining life; their parameters stay out (they echo the patient's words). */
function carryOf(contexts: readonly protos.google.cloud.dialogflow.v2.IContext[]): NluCarry {
  return {
    contexts: contexts.flatMap((context) => {
      const name = context.name?.split('/').at(-1);
      const lifespanCount = context.lifespanCount ?? 0;
      return name && /^[A-Za-z0-9_-]+$/.test(name) && lifespanCount > 0 ? [{ name, lifespanCount }] : [];
    }),
  };
}
