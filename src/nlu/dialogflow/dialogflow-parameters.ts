/**
 * Dialogflow's matched parameters as our entities. Dialogflow gives values without their place in the text, so
 * each is placed on the span our own recognizer finds for the same kind of entity (a value nothing local matches
 * keeps an empty span at 0). Phone numbers and emails never reached Dialogflow (they were masked): they come from
 * the recognizer on the original text, which the flow step that asks for them reads.
 *
 * Values take the shapes the local engine gives: numbers as numbers; dates and times as
 * {@link DateTimeEntityValue}, in the wall time Dialogflow wrote them in (its offset is the agent's time zone).
 */
import type { DateTimeEntityValue, EntityType } from '../entity-recognizer';
import type { NluEntity } from '../nlu-engine';

/** Parameter names as Dialogflow's system entities name them, by our entity type. */
const TYPE_BY_PARAMETER: Readonly<Record<string, EntityType>> = {
  'date-time': 'datetime',
  date: 'datetime',
  time: 'datetime',
  'date-period': 'datetime',
  'time-period': 'datetime',
  number: 'number',
  'number-integer': 'number',
  'phone-number': 'phone_number',
  email: 'email',
};

/** Types Dialogflow never sees unmasked: taken from the recognizer whatever Dialogflow answered. */
const LOCAL_ONLY_TYPES: ReadonlySet<string> = new Set(['phone_number', 'email']);

/** `recognized` are the entities our recognizer found in `text`: they give the parameters their places. */
export function entitiesOfParameters(
  parameters: Record<string, unknown>,
  text: string,
  recognized: readonly NluEntity[],
): NluEntity[] {
  const unclaimed = new Set(recognized);
  const entities: NluEntity[] = [];
  for (const [name, raw] of Object.entries(parameters)) {
    const type: string = TYPE_BY_PARAMETER[name] ?? name;
    for (const value of (Array.isArray(raw) ? raw : [raw]).filter(isGiven)) {
      const shaped = valueOf(type, name, value);
      if (shaped === undefined) continue;
      const place = claimPlace(unclaimed, type, value, text);
      entities.push({ type, value: shaped, ...place });
    }
  }
  for (const entity of unclaimed) if (LOCAL_ONLY_TYPES.has(entity.type)) entities.push(entity);
  return entities.sort((a, b) => a.start - b.start);
}

/** Dialogflow sends an empty string (or list) for an optional parameter that was not matched. */
function isGiven(value: unknown): boolean {
  return value !== null && value !== '' && !(typeof value === 'object' && Object.keys(value).length === 0);
}

function valueOf(type: string, name: string, value: unknown): unknown {
  if (type === 'number') return typeof value === 'number' ? value : undefined;
  if (type === 'datetime') return dateTimeValue(name, value);
  return value;
}

function claimPlace(
  unclaimed: Set<NluEntity>,
  type: string,
  value: unknown,
  text: string,
): Pick<NluEntity, 'text' | 'start' | 'end'> {
  const found = [...unclaimed].find((entity) => entity.type === type);
  if (found) {
    unclaimed.delete(found);
    return { text: found.text, start: found.start, end: found.end };
  }
  // A custom entity's value is usually the words themselves (or their synonym's reference value).
  const start = typeof value === 'string' && value !== '' ? text.toLowerCase().indexOf(value.toLowerCase()) : -1;
  if (start < 0) return { text: '', start: 0, end: 0 };
  return { text: text.slice(start, start + String(value).length), start, end: start + String(value).length };
}

/**
 * @sys.date-time gives an ISO string, `{ date_time }`, or a period (`{ startDateTime, endDateTime }`,
 * `{ startDate, endDate }`); @sys.date and @sys.time give ISO strings of which only the date or the time counts.
 */
function dateTimeValue(name: string, value: unknown): DateTimeEntityValue | undefined {
  if (typeof value === 'string') return pointInTime(name, value);
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (typeof fields.date_time === 'string') return pointInTime('date-time', fields.date_time);
  const [start, end, subtype] =
    typeof fields.startDateTime === 'string'
      ? [wallTime(fields.startDateTime), wallTime(fields.endDateTime), 'datetimerange']
      : typeof fields.startDate === 'string'
        ? [wallTime(fields.startDate)?.slice(0, 10), wallTime(fields.endDate)?.slice(0, 10), 'daterange']
        : typeof fields.startTime === 'string'
          ? [wallTime(fields.startTime)?.slice(11), wallTime(fields.endTime)?.slice(11), 'timerange']
          : [undefined, undefined, ''];
  if (start === undefined || end === undefined) return undefined;
  return { subtype, resolutions: [{ type: subtype, timex: `(${start},${end})`, start, end }] };
}

function pointInTime(name: string, iso: string): DateTimeEntityValue | undefined {
  const wall = wallTime(iso);
  if (wall === undefined) return undefined;
  const [date, time] = [wall.slice(0, 10), wall.slice(11)];
  if (name === 'date') return { subtype: 'date', resolutions: [{ type: 'date', timex: date, value: date }] };
  if (name === 'time') {
    return { subtype: 'time', resolutions: [{ type: 'time', timex: `T${time.slice(0, 5)}`, value: time }] };
  }
  return {
    subtype: 'datetime',
    resolutions: [{ type: 'datetime', timex: `${date}T${time.slice(0, 5)}`, value: `${date} ${time}` }],
  };
}

/** `2026-11-24T16:00:00-05:00` → `2026-11-24 16:00:00`: the recognizer's form, wall time without the offset. */
function wallTime(iso: unknown): string | undefined {
  if (typeof iso !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?/.exec(iso);
  if (!match) return undefined;
  return `${match[1]} ${match[2] ?? '00:00:00'}`;
}
