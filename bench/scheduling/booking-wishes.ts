/**
 * What the simulated patients ask for: "I need a checkup next Tuesday afternoon", "… on December 8 in the morning",
 * each phrase one window of the practice's days, and how the phones share those windows. A window is leased to one conversation at a
 * time, so phones in parallel do not fight for the same slot (a fight would be a `slot_taken` re-offer, counted, not
 * designed in); the window with the most free slots left goes next, so no window runs dry during the run.
 */
import { DEMO_SLOT_DAYS } from '../../src/emr/demo/demo-emr-seed';
import { localDate } from '../../src/practice/opening-hours';
import { parseTimePreference, type TimeWindow } from '../../src/scheduling/time-preference';

/** One phrase, the window the product reads in it, and how many of its free slots this run may still book. */
export interface BookingWish {
  readonly phrase: string;
  readonly window: TimeWindow;
  readonly freeSlots: number;
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;
const PARTS_OF_DAY = ['afternoon', 'morning'] as const;

/** The pool, weekday phrases first: "next Tuesday afternoon", "Tuesday afternoon", then dates of the slot horizon. */
function phrasePool(now: Date, timeZone: string): string[] {
  const weekdays = ['next ', ''].flatMap((prefix) =>
    WEEKDAYS.flatMap((weekday) => PARTS_OF_DAY.map((part) => `I need a checkup ${prefix}${weekday} ${part}`)),
  );
  const dates = Array.from({ length: DEMO_SLOT_DAYS }, (_, days) => localDate(now, timeZone, days))
    .filter((date) => !['saturday', 'sunday'].includes(date.weekday))
    .map((date) => monthAndDay(date.isoDate));
  const dated = dates.flatMap((day) => PARTS_OF_DAY.map((part) => `I need a checkup on ${day} in the ${part}`));
  return [...weekdays, ...dated];
}

/** '2026-12-08' → 'December 8'. */
function monthAndDay(isoDate: string): string {
  const noon = new Date(`${isoDate}T12:00:00Z`);
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric' }).format(noon);
}

/**
 * Every phrase of the pool that the time parser reads as exactly one window still ahead, one phrase per window
 * ("Tuesday afternoon" and "next Tuesday afternoon" are the same window on some days). Whether the NLU sends the
 * phrase to the booking flow, and how many slots are free, is for the caller to check.
 */
export function candidatePhrases(now: Date, timeZone: string): Array<{ phrase: string; window: TimeWindow }> {
  const byWindow = new Map<string, { phrase: string; window: TimeWindow }>();
  for (const phrase of phrasePool(now, timeZone)) {
    const preference = parseTimePreference(phrase, 'en', now, timeZone);
    const [window] = preference.windows;
    if (preference.kind !== 'window' || preference.windows.length !== 1 || !window) continue;
    const key = `${window.from.toISOString()}/${window.to.toISOString()}`;
    if (!byWindow.has(key)) byWindow.set(key, { phrase, window });
  }
  return [...byWindow.values()];
}

/** Leases wishes to conversations: never one window to two conversations at once, the fullest window first. */
export class WishLeases {
  private readonly remaining: number[];
  private readonly leased = new Set<number>();

  constructor(private readonly wishes: readonly BookingWish[]) {
    this.remaining = wishes.map((wish) => wish.freeSlots);
  }

  /** The free window with the most slots left (one of them now spoken for), or undefined when none is. */
  lease(): { readonly index: number; readonly wish: BookingWish } | undefined {
    let best: number | undefined;
    this.remaining.forEach((left, index) => {
      if (left > 0 && !this.leased.has(index) && (best === undefined || left > this.remaining[best]!)) best = index;
    });
    if (best === undefined) return undefined;
    this.leased.add(best);
    this.remaining[best]! -= 1;
    return { index: best, wish: this.wishes[best]! };
  }

  release(index: number): void {
    this.leased.delete(index);
  }

  /** The wishes with what is left of their slots, for the next run. */
  left(): BookingWish[] {
    return this.wishes.map((wish, index) => ({ ...wish, freeSlots: this.remaining[index]! }));
  }
}
