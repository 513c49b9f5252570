/**
 * Makes the fake Dialogflow server answer from our own model: each request's text goes through a (trained) local
 * NLP.js engine, so a test of the Dialogflow adapter sees the intents of `intents/` without a Google agent.
 *
 * Mapping, kept deliberately small:
 * - language: the `languageCode`'s primary subtag (`es-US` → `es`); a language we have no model for is refused with
 *   INVALID_ARGUMENT, as Dialogflow refuses a language its agent does not support;
 * - intent: `none` → `Default Fallback Intent`, any other intent keeps its name (the agent export's display names);
 * - parameters, named like Dialogflow's system entities: `date-time` (@sys.date-time), `number` (@sys.number),
 *   `phone-number` (@sys.phone-number), `email` (@sys.email). One entity of a type gives a value, several a list.
 *   A date/time is an ISO 8601 string in the reference clock's wall time, without an offset (Dialogflow adds the
 *   agent's); a range is `{ startDateTime, endDateTime }` (`{ startDate, endDate }` for whole days). When the
 *   recognizer offers alternatives ("at 4": 4 am or 4 pm; "friday": last or next) the last, later one is taken.
 */
import * as grpc from '@grpc/grpc-js';
import type { DateTimeEntityValue } from '../../../src/nlu/entity-recognizer';
import { isLanguage, NONE_INTENT, type Language, type NluEngine, type NluEntity } from '../../../src/nlu/nlu-engine';
import { type AnswerDetectIntent, type DetectIntentCall, FALLBACK_INTENT } from './dialogflow-server';

/** Dialogflow parameter names by entity type of our recognizer. */
const PARAMETER_NAMES: Record<string, string> = {
  datetime: 'date-time',
  number: 'number',
  phone_number: 'phone-number',
  email: 'email',
};

/** An `answer` for `DialogflowServer.start` that classifies with `engine`, which must already be trained. */
export function localModelAnswers(engine: NluEngine): AnswerDetectIntent {
  return async (call: DetectIntentCall) => {
    const result = await engine.parse(call.text, languageOf(call.languageCode));
    return {
      intent: result.intent === NONE_INTENT ? FALLBACK_INTENT : result.intent,
      confidence: result.confidence,
      parameters: parametersOf(result.entities),
    };
  };
}

function languageOf(languageCode: string): Language {
  const language = languageCode.split('-')[0]?.toLowerCase();
  if (isLanguage(language)) return language;
  const error = new Error(`the agent does not support language '${languageCode}'`);
  throw Object.assign(error, { code: grpc.status.INVALID_ARGUMENT });
}

function parametersOf(entities: readonly NluEntity[]): Record<string, unknown> {
  const values = new Map<string, unknown[]>();
  for (const entity of entities) {
    const name = PARAMETER_NAMES[entity.type];
    if (name === undefined) continue;
    values.set(name, [...(values.get(name) ?? []), parameterValue(entity)]);
  }
  return Object.fromEntries([...values].map(([name, list]) => [name, list.length === 1 ? list[0] : list]));
}

function parameterValue(entity: NluEntity): unknown {
  if (entity.type !== 'datetime') return entity.value;
  const { subtype, resolutions } = entity.value as DateTimeEntityValue;
  const resolution = resolutions.at(-1) ?? {};
  if (resolution.value !== undefined) return toIso(resolution.value);
  if (!subtype.includes('time')) return { startDate: resolution.start, endDate: resolution.end };
  return { startDateTime: toIso(resolution.start), endDateTime: toIso(resolution.end) };
}

/** The recognizer's `2025-03-11 16:00:00` as ISO 8601 `2025-03-11T16:00:00` (dates and times alone unchanged). */
function toIso(value: string | undefined): string | undefined {
  return value?.replace(' ', 'T');
}
