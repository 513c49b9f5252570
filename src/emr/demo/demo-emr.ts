/**
 * The embedded demo EMR, so the product can be tried with no EHR: an in-process FHIR R4 server seeded with made-up
 * patients, appointments and free slots, used through the same FHIR adapter a real server gets. With a store its
 * state survives a restart (bookings made in the demo stay booked); without one, processes seeded with the same `now`
 * agree on every id and value.
 */
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from '../fhir-types';
import { DEMO_TIME_ZONE } from '../../practice/demo-practice';
import { FhirClient } from '../fhir/fhir-client';
import { FhirEmrAdapter } from '../fhir/fhir-emr-adapter';
import type { FhirMethod, FhirTransport } from '../fhir/fhir-transport';
import { buildDemoEmrSeed, buildDemoSlots } from './demo-emr-seed';
import { MemoryFhirServer } from './memory-fhir-server';

/** Where the demo keeps its FHIR resources between runs (encrypted: the demo's patients are treated as PHI). */
export interface DemoEmrStore {
  load(): Promise<string | undefined>;
  save(snapshot: string): Promise<void>;
}

export interface DemoEmrOptions {
  /** Appointments are placed relative to it; processes that must agree pass the same instant. Default: now. */
  readonly now?: Date;
  /** The demo practice's zone, where appointment clock times are set. Default: America/New_York. */
  readonly timeZone?: string;
  readonly store?: DemoEmrStore;
}

export type DemoEmr = FhirEmrAdapter & { readonly repository: MemoryRepository };

/** Builds and seeds a demo EMR (the first one in a process also indexes the FHIR definitions, about a second). */
export async function createDemoEmr(options: DemoEmrOptions = {}): Promise<DemoEmr> {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? DEMO_TIME_ZONE;
  const saved = await options.store?.load();
  const server = saved === undefined ? await createSeededFhirServer(now, timeZone) : new MemoryFhirServer();
  if (saved !== undefined) {
    await server.restore(saved);
    // Days pass between runs: add the new days' slots, keeping every slot and booking already there.
    await seed(server.repository, await missing(server.repository, buildDemoSlots(now, timeZone)), now);
  }
  const transport = options.store ? new PersistingTransport(server, options.store) : server;
  if (options.store) await options.store.save(server.snapshot());
  const adapter = new FhirEmrAdapter('demo', new FhirClient(transport), { onClose: () => server.repository.clear() });
  return Object.assign(adapter, { repository: server.repository });
}

/** A FHIR server holding the demo seed placed relative to `now` (also what tests run as an external EHR). */
export async function createSeededFhirServer(now: Date, timeZone: string): Promise<MemoryFhirServer> {
  const server = new MemoryFhirServer();
  await seed(server.repository, buildDemoEmrSeed(now, timeZone), now);
  return server;
}

/** Seeding mode keeps the given meta: version '1' and `now`, identical in every process instead of random. */
async function seed(repository: MemoryRepository, resources: readonly Resource[], now: Date): Promise<void> {
  const meta = { versionId: '1', lastUpdated: now.toISOString() };
  await repository.withSeeding(async () => {
    for (const resource of resources) await repository.createResource({ ...resource, meta }, { assignedId: true });
  });
}

async function missing(
  repository: MemoryRepository,
  slots: readonly (Resource & { id: string })[],
): Promise<Resource[]> {
  const existing = await repository.search({ resourceType: 'Slot', count: 100_000 });
  const ids = new Set((existing.entry ?? []).map((entry) => entry.resource?.id));
  return slots.filter((slot) => !ids.has(slot.id));
}

/** Saves the whole state after every successful write; saves run in order and each takes the latest state. */
class PersistingTransport implements FhirTransport {
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: MemoryFhirServer,
    private readonly store: DemoEmrStore,
  ) {}

  async request(method: FhirMethod, path: string, body?: Resource, headers?: Readonly<Record<string, string>>) {
    const exchange = await this.server.request(method, path, body, headers);
    if (method !== 'GET' && exchange.status < 400) {
      this.saving = this.saving.catch(() => undefined).then(() => this.store.save(this.server.snapshot()));
      // The caller learns of the write only once it is durable: a booking confirmed is a booking kept.
      await this.saving;
    }
    return exchange;
  }
}
