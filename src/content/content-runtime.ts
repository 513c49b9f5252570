/**
 * Makes a publish take effect in every process: a message on Redis pub/sub (ids only) tells each one to compile the
 * new flow versions next to the old, retrain the NLU on the published phrases and forget cached practice details.
 * With the embedded database the published phrases are also written to DATA_DIR, where `concierge nlu parse` reads
 * them without opening the database the product holds.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { FlowVersions } from '../conversation/bot-engine';
import type { Database } from '../db/schema';
import { loadFlowVersions } from '../flows/flow-loader';
import type { TrainingData } from '../nlu/training-data';
import type { Logger } from '../observability/logger';
import type { ContentBundle } from './content-bundle';

export const PUBLISHED_TRAINING_FILE = path.join('nlu', 'published-training.json');

/** The Redis channel on which a publish (from any process, or the CLI) tells every process to refresh. */
export function contentPublishedChannel(queuePrefix: string): string {
  return `${queuePrefix}:content-published`;
}

export function trainingDataOf(content: ContentBundle): TrainingData {
  return {
    intents: content.training.map((intent) => ({
      name: intent.name,
      fallback: intent.fallback,
      phrases: { en: [...intent.phrases.en], es: [...intent.phrases.es] },
    })),
  };
}

export interface ContentRuntimeDeps {
  readonly db: Kysely<Database>;
  readonly redis: Redis;
  readonly channel: string;
  readonly practiceId: string;
  readonly bot: { load(flows: FlowVersions): void };
  readonly nlu: { train(): Promise<void> };
  readonly forgetPractice: () => void;
  /** Where to write the published phrases for the CLI (embedded database only). */
  readonly trainingFile?: { readonly path: string; readonly training: () => Promise<TrainingData> };
  readonly logger: Logger;
}

export class ContentRuntime {
  private subscriber?: Redis;
  private refreshing: Promise<void> = Promise.resolve();
  /** Marks this process's announcements: it refreshed before announcing, and retraining twice costs seconds of CPU. */
  private readonly origin = randomUUID();

  constructor(private readonly deps: ContentRuntimeDeps) {}

  async start(): Promise<void> {
    this.subscriber = this.deps.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => {
      const announced = announcementOf(message);
      if (announced.origin !== this.origin) void this.refresh(announced.version);
    });
    await this.subscriber.subscribe(this.deps.channel);
    await this.writeTrainingFile();
  }

  async stop(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** After a publish (in any process): every process refreshes, this one before the call returns. */
  async published(version: number): Promise<void> {
    await this.refresh(version);
    await this.deps.redis.publish(this.deps.channel, JSON.stringify({ version, origin: this.origin }));
  }

  /** One refresh at a time, in order; a failure is logged and the old content keeps serving. */
  refresh(version?: number): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      try {
        this.deps.bot.load(await loadFlowVersions(this.deps.db, this.deps.practiceId));
        this.deps.forgetPractice();
        await this.deps.nlu.train();
        await this.writeTrainingFile();
        this.deps.logger.info({ version }, 'published content loaded');
      } catch (error) {
        this.deps.logger.error({ err: error }, 'published content could not be loaded');
      }
    });
    return this.refreshing;
  }

  private async writeTrainingFile(): Promise<void> {
    const target = this.deps.trainingFile;
    if (!target) return;
    await fs.mkdir(path.dirname(target.path), { recursive: true });
    const temporary = `${target.path}.${process.pid}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(await target.training()));
    await fs.rename(temporary, target.path);
  }
}

/** A release announcement: its version, and the announcing process's origin (none from the CLI). */
function announcementOf(message: string): { version?: number; origin?: string } {
  try {
    const { version, origin } = JSON.parse(message) as { version?: unknown; origin?: unknown };
    return {
      ...(typeof version === 'number' ? { version } : {}),
      ...(typeof origin === 'string' ? { origin } : {}),
    };
  } catch {
    return {}; // unreadable: refresh anyway, as for any announcement
  }
}
