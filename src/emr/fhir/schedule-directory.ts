/**
 * Who and where each Schedule is for: slots point at a Schedule, and patients choose by practitioner and see the
 * location, so the adapter reads the schedules with their actors once and keeps them a few minutes (they change
 * when a practitioner joins or leaves, not per booking).
 */
import type { Schedule } from '../fhir-types';
import { formatPersonName, primaryName } from '../fhir-records';
import { resourcesOfType } from '../fhir-queries';
import type { FhirClient } from './fhir-client';

export interface ScheduleInfo {
  readonly scheduleId: string;
  readonly practitionerId: string;
  readonly practitionerName: string;
  readonly locationId: string;
  readonly locationName: string;
}

const CACHE_MS = 5 * 60_000;

export class ScheduleDirectory {
  private cached?: { readonly at: number; readonly schedules: Promise<ReadonlyMap<string, ScheduleInfo>> };

  constructor(
    private readonly fhir: FhirClient,
    private readonly clock: () => Date,
  ) {}

  /** Active schedules that name both a practitioner and a location, by Schedule id. */
  async all(): Promise<ReadonlyMap<string, ScheduleInfo>> {
    const now = this.clock().getTime();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const schedules = this.load();
      this.cached = { at: now, schedules };
      schedules.catch(() => (this.cached = undefined));
    }
    return this.cached.schedules;
  }

  private async load(): Promise<ReadonlyMap<string, ScheduleInfo>> {
    const params = new URLSearchParams({ active: 'true', _count: '500', _include: 'Schedule:actor' });
    const bundle = await this.fhir.search('Schedule', params);
    const practitioners = new Map(resourcesOfType(bundle, 'Practitioner').map((p) => [p.id, p]));
    const locations = new Map(resourcesOfType(bundle, 'Location').map((l) => [l.id, l]));
    const schedules = new Map<string, ScheduleInfo>();
    for (const schedule of resourcesOfType(bundle, 'Schedule')) {
      const practitionerId = actorId(schedule, 'Practitioner');
      const locationId = actorId(schedule, 'Location');
      if (practitionerId === undefined || locationId === undefined) continue;
      schedules.set(schedule.id, {
        scheduleId: schedule.id,
        practitionerId,
        practitionerName: formatPersonName(primaryName(practitioners.get(practitionerId)?.name)),
        locationId,
        locationName: locations.get(locationId)?.name ?? '',
      });
    }
    return schedules;
  }
}

function actorId(schedule: Schedule, type: 'Practitioner' | 'Location'): string | undefined {
  const prefix = `${type}/`;
  return schedule.actor.find((actor) => actor.reference?.startsWith(prefix))?.reference?.slice(prefix.length);
}
