/**
 * What the clocks of a time zone show at an instant, and how far they are ahead of UTC: the one primitive quiet
 * hours, business hours and time preferences build on. Formatters are cached per zone: building an
 * Intl.DateTimeFormat costs far more than using one, and a business-time search asks for hundreds of offsets.
 */
export interface WallClock {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** What the clocks of `timeZone` show at `instant`. */
export function wallClockFields(instant: Date, timeZone: string): WallClock {
  const parts = formatter(timeZone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant` (ms). */
export function utcOffsetMs(instant: Date | number, timeZone: string): number {
  const at = new Date(instant);
  const { year, month, day, hour, minute, second } = wallClockFields(at, timeZone);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}
