/**
 * The composition root: builds everything from config and returns handles. The server, the worker, the CLI and the
 * tests all start here; nothing lives in module-level singletons. Shutdown closes in reverse order.
 */
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue, Worker } from 'bullmq';
import type pino from 'pino';
import type { AuditLog } from './audit/audit-log';
import { type PhiServices, createPhiServices } from './consent/phi-services';
import type { EmrAdapter } from './emr/emr-adapter';
import { createEmrAdapter, EMR_CAPABILITIES } from './emr';
import { configuredEmrOptions } from './emr/configured-emr';
import { lazyEmrAdapter } from './emr/lazy-emr-adapter';
import { UpcomingAppointments } from './scheduling/upcoming-appointments';
import { SecurePageRecords } from './identity/secure-page-records';
import { EmailSender, type EmailToSend } from './channels/email/email-sender';
import { runRetention } from './compliance/retention';
import { scheduleRetention } from './queues/retention-schedule';
import { createSchedulingRuntime } from './scheduling/scheduling-runtime';
import { createHandoffRuntime } from './handoff/handoff-runtime';
import { VERIFIED_CHAT_TOKEN_SECONDS, VerifiedChatHandoffs } from './identity/verified-chat-handoffs';
import { createSecurePageRouter } from './web/secure/secure-page-router';
import { createInboxRouter } from './web/inbox/inbox-router';
import type { VerifiedChatRequest } from './web/secure/secure-page-types';
import { ConversationEvents } from './conversation/conversation-events';
import { BotEngine } from './conversation/bot-engine';
import { ConversationRepository } from './conversation/conversation-repository';
import { IngestService } from './conversation/ingest-service';
import { sweepLostWork } from './conversation/recovery-sweeper';
import { TurnProcessor } from './conversation/turn-processor';
import { OutboxService } from './channels/outbox-service';
import { VisitorTokens } from './channels/webchat/visitor-token';
import { WebchatSender } from './channels/webchat/webchat-sender';
import type { ChannelSender } from './channels/channel-sender';
import { type AutomatedMessage, queueAutomatedMessage, queueConversationMessages } from './channels/automated-message';
import { createDevOutboxRouter } from './channels/dev-outbox/dev-outbox-router';
import { DevOutboxSender } from './channels/dev-outbox/dev-outbox-sender';
import { createDraftShaper } from './channels/draft-shaping';
import { MessengerSender } from './channels/messenger/messenger-sender';
import { createTwilioSenders, twilioSettingsFromConfig } from './channels/twilio/twilio-sender';
import { createTwilioWebhookRouter } from '../webhooks/twilio/twilio-webhook-router';
import type { Router } from 'express';
import {
  type MessengerWebhookDeps,
  createMessengerWebhookRouter,
} from '../webhooks/messenger/messenger-webhook-router';
import type { Config } from './config';
import type { DatabaseHandle } from './db/open-database';
import { prepareDatabase } from './db/prepare-database';
import type { ActionRegistry } from './flows/action-registry';
import { createActionRegistry } from './flows/actions';
import { loadFlowVersions } from './flows/flow-loader';
import { PostgresDialogStorage } from './conversation/postgres-dialog-storage';
import { createHealthRouter } from './http/health-routes';
import { createHttpApp } from './http/http-app';
import { createNluEngine } from './nlu/nlu-provider';
import { loadTrainingData } from './nlu/training-data';
import { ContentReleases } from './content/content-releases';
import {
  ContentRuntime,
  PUBLISHED_TRAINING_FILE,
  contentPublishedChannel,
  trainingDataOf,
} from './content/content-runtime';
import { snapshotLiveContent } from './content/live-content';
import { PreviewSandbox } from './content/preview-sandbox';
import type { Language, NluEngine } from './nlu/nlu-engine';
import type { OutboundDraft } from './conversation/outbound-draft';
import { type Logger, createLogger } from './observability/logger';
import { operationalGauges } from './observability/operational-gauges';
import { type Metrics, createMetrics } from './observability/metrics';
import { loadKeyRing } from './phi/dev-key-ring';
import type { KeyRing } from './phi/key-ring';
import { weeklyHoursRows } from './practice/opening-hours';
import { PracticeContentCache, findDefaultPracticeId, loadPracticeContent } from './practice/practice-repository';
import { type ProcessInboundJobData, processInboundQueue } from './queues/process-inbound-queue';
import { type SendOutboundJobData, sendOutboundQueue } from './queues/send-outbound-queue';
import { type RedisHandle, connectRedis } from './redis/redis-connection';
import { INTENTS_DIR } from './project-paths';
import { createWebRouter } from './web/web-router';
import { WebchatSocketServer } from '../webhooks/webchat/webchat-socket';

const SWEEP_INTERVAL_MS = 10_000;
const WORKER_CONCURRENCY = 8;
const EMR_WATCH_MS = 15_000;

export interface AppOptions {
  /** Where logs go (tests capture them to check for PHI). */
  readonly logDestination?: pino.DestinationStream;
  /** The clock flows use (tests pin it). */
  readonly now?: () => Date;
  /** The actions flows may run; the product's own by default. */
  readonly actions?: ActionRegistry;
  /** How long an interrupted send waits for its provider's status callback (tests shorten it). */
  readonly reconcileMs?: number;
  /** How often the EMR's change feed is read (default 15 s; tests shorten it). */
  readonly emrWatchMs?: number;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly database: DatabaseHandle;
  readonly redis: RedisHandle;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly gate: PhiServices['gate'];
  readonly directory: PhiServices['directory'];
  readonly emr: EmrAdapter;
  readonly nlu: NluEngine;
  readonly practiceId: string;
  /** Drafts, publishing and history of what managers edit; `runtime` makes a publish take effect everywhere. */
  readonly content: { readonly releases: ContentReleases; readonly runtime: ContentRuntime };
  readonly repository: ConversationRepository;
  readonly ingest: IngestService;
  readonly turns: TurnProcessor;
  readonly outbox: OutboxService;
  readonly inboundQueue: Queue<ProcessInboundJobData>;
  readonly sendQueue: Queue<SendOutboundJobData>;
  /** Serves HTTP and the web chat socket; resolves with the bound port. */
  listen(port?: number): Promise<number>;
  /** Serves only /healthz, /readyz and /metrics (a worker's probes and scrape target); resolves with the bound port. */
  serveHealth(port: number): Promise<number>;
  /** Starts the queue workers and the recovery sweeper. */
  startWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = createLogger(config.LOG_LEVEL, options.logDestination);
  const metrics = createMetrics();
  const keyRing = loadKeyRing(config.PHI_KEYS, config.dataDir, (file) =>
    logger.warn(
      { file },
      'PHI_KEYS is not set: generated a development key ring for the demo (never use it in production)',
    ),
  );
  const database = await prepareDatabase(config, logger);
  const cleanup: Array<() => Promise<void>> = [() => database.close()];
  try {
    const redis = await connectRedis(config.REDIS_URL, config.dataDir);
    cleanup.unshift(() => redis.close());
    return await assemble({ config, options, logger, metrics, keyRing, database, redis, cleanup });
  } catch (error) {
    for (const close of cleanup) await close().catch(() => undefined);
    throw error;
  }
}

interface Parts {
  readonly config: Config;
  readonly options: AppOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly keyRing: KeyRing;
  readonly database: DatabaseHandle;
  readonly redis: RedisHandle;
  readonly cleanup: Array<() => Promise<void>>;
}

async function assemble(parts: Parts): Promise<App> {
  const { config, logger, metrics, keyRing, database, redis, cleanup } = parts;
  const db = database.db;
  const practiceId = await findDefaultPracticeId(db);
  if (!practiceId) throw new Error('no practice exists: run `concierge seed-demo` or create one');

  const { audit, consent, directory, links, gate } = createPhiServices(config, keyRing, parts.options.now);
  const actions = parts.options.actions ?? createActionRegistry();
  const now = parts.options.now ?? (() => new Date());
  const releases = new ContentReleases({ db, audit, actions, now });
  const fileTraining = await loadTrainingData(INTENTS_DIR);
  await releases.ensurePublished(practiceId, () => snapshotLiveContent(db, practiceId, fileTraining));
  const publishedTraining = async () => trainingDataOf((await releases.published(practiceId))!.content);
  const nlu = createNluEngine(config, { loadTrainingData: publishedTraining, metrics, logger, now: parts.options.now });
  cleanup.unshift(async () => nlu.close?.());
  await nlu.train();

  const queueSettings = { connection: redis.client, prefix: config.QUEUE_PREFIX };
  const inboundQueue = processInboundQueue.createQueue(queueSettings);
  const sendQueue = sendOutboundQueue.createQueue(queueSettings);
  for (const queue of [inboundQueue, sendQueue])
    queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  cleanup.unshift(
    () => inboundQueue.close(),
    () => sendQueue.close(),
  );
  const gauges = operationalGauges({ db, metrics, now }, queueSettings);
  cleanup.unshift(() => gauges.close());

  const events = new ConversationEvents(redis.client, `${config.QUEUE_PREFIX}:conversation-events`);
  const repository = new ConversationRepository(keyRing);
  const ingest = new IngestService(db, repository, inboundQueue);
  const bot = new BotEngine(new PostgresDialogStorage(db, keyRing), await loadFlowVersions(db, practiceId), actions);
  const intents = bot.startingIntents;
  const senders = createSenders(config, events);
  const shapeDrafts = createDraftShaper(
    new Map(senders.map((sender) => [sender.channel, sender.capabilities.maxLength])),
  );
  const practiceContent = new PracticeContentCache();
  const content = new ContentRuntime({
    ...{ db, redis: redis.client, practiceId, bot, nlu, logger },
    channel: contentPublishedChannel(config.QUEUE_PREFIX),
    forgetPractice: () => practiceContent.clear(),
    ...(database.kind === 'pglite'
      ? { trainingFile: { path: path.join(config.dataDir, PUBLISHED_TRAINING_FILE), training: publishedTraining } }
      : {}),
  });
  await content.start();
  releases.onRelease((version) => content.published(version));
  cleanup.unshift(() => content.stop());
  const emr = lazyEmrAdapter(config.EMR_ADAPTER, EMR_CAPABILITIES[config.EMR_ADAPTER], async () => {
    const practice = await practiceContent.get(db, practiceId);
    const timeZone = practice.locations[0]?.timeZone;
    return createEmrAdapter(
      config.EMR_ADAPTER,
      configuredEmrOptions(config, { db, keyRing, practiceId, timeZone, logger }),
    );
  });
  cleanup.unshift(() => emr.close());
  const appointments = new UpcomingAppointments(emr, directory, audit);
  const handoff = createHandoffRuntime({
    ...{ db, audit, metrics, events, queueSettings, now: parts.options.now },
    practice: (trx, id) => practiceContent.get(trx, id),
  });
  cleanup.unshift(() => handoff.close());
  const tell = (conversationId: string, drafts: readonly OutboundDraft[], lang: Language, inReplyTo?: number | null) =>
    queueConversationMessages({ db, repository, sendQueue, gate }, conversationId, drafts, lang, inReplyTo);
  const scheduling = createSchedulingRuntime({
    ...{ db, keyRing, emr, audit, gate, queueSettings, practiceId, now: parts.options.now },
    practice: async () => {
      const practice = await practiceContent.get(db, practiceId);
      return { name: practice.name, timeZone: practice.locations[0]?.timeZone ?? 'UTC' };
    },
    tell,
    handOff: async (conversationId, reason) => {
      const { notice, lang } = await handoff.escalateConversation(conversationId, { reason });
      if (notice) await tell(conversationId, [{ text: notice, quickReplies: [], classification: 'none' }], lang);
    },
    watchEveryMs: parts.options.emrWatchMs ?? EMR_WATCH_MS,
  });
  cleanup.unshift(() => scheduling.close());
  const email = config.SMTP_URL && config.SMTP_FROM ? new EmailSender(config.SMTP_URL, config.SMTP_FROM) : undefined;
  if (email) cleanup.unshift(async () => email.close());
  const secureRecordsFor = (timeZone: string) => {
    const records = new SecurePageRecords({
      ...{ db, keyRing, audit, directory, appointments, now: parts.options.now },
      timeZone: async () => timeZone,
      sendSms: async ({ practiceId: practice, phone, text, lang }) => {
        await queueAutomatedMessage(
          { db, ingest, repository, sendQueue, gate },
          { practiceId: practice, channel: 'sms', address: phone, text, lang, author: 'system' },
        );
      },
      ...(email ? { sendEmail: (message: EmailToSend) => email.send(message) } : {}),
    });
    return {
      findPatientsForLink: records.findPatientsForLink.bind(records),
      sendCode: records.sendCode.bind(records),
      markVerified: records.markVerified.bind(records),
      withheldContent: records.withheldContent.bind(records),
      offersEmail: email !== undefined,
      verifiedChatUrl: async ({ practiceId: practice, linkId, patientId, lang }: VerifiedChatRequest) => {
        const code = await handoffs.issue(db, { practiceId: practice, linkId, patientId, language: lang });
        return `${config.publicUrl.replace(/\/+$/, '')}/chat?continue=${code}`;
      },
    };
  };
  const handoffs = new VerifiedChatHandoffs({ keyRing, audit, directory, repository, now: parts.options.now });
  const turns = new TurnProcessor({
    practices: practiceContent,
    ...{ db, repository, bot, nlu, sendQueue, events, logger, metrics, intents, shapeDrafts, handoff },
    ...{ consent, gate, directory, appointments, now: parts.options.now },
    scheduling: { service: scheduling.service, requests: scheduling.requests, tracker: scheduling.tracker, directory },
  });
  const outbox = new OutboxService(db, keyRing, senders, logger, metrics, {
    sendingHours: async (id) => {
      const practice = await practiceContent.get(db, id);
      // Patients have no time zone of their own yet: the practice's main location stands in.
      return { ...practice.profile.automatedMessageHours, timeZone: practice.locations[0]?.timeZone ?? 'UTC' };
    },
    now: parts.options.now,
    reconcileMs: parts.options.reconcileMs,
    consent,
    gate,
  });

  const workers: Worker[] = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  let httpServer: http.Server | undefined;
  let healthServer: http.Server | undefined;
  let webchat: WebchatSocketServer | undefined;
  let stopping = false;
  const healthRouter = (withMetrics = true) =>
    createHealthRouter({
      ...{ db, redis: redis.client, metrics, withMetrics },
      refreshGauges: () => gauges.refresh(),
      stopping: () => stopping,
    });

  const app: App = {
    config,
    logger,
    metrics,
    database,
    redis,
    keyRing,
    audit,
    gate,
    directory,
    emr,
    nlu,
    practiceId,
    content: { releases, runtime: content },
    repository,
    ingest,
    turns,
    outbox,
    inboundQueue,
    sendQueue,

    async listen(port = config.PORT) {
      const practice = await loadPracticeContent(db, practiceId);
      const mainLocation = practice.locations[0];
      const location = mainLocation?.details.address;
      const webRouter = await createWebRouter({
        practiceName: practice.name,
        practicePhone: practice.profile.phone,
        practiceAddress: location
          ? `${location.line1}, ${location.city}, ${location.state} ${location.postalCode}`
          : '',
        openingHours: mainLocation ? weeklyHoursRows(mainLocation, 'en') : [],
        frameAncestors: [],
      });
      const routers = [
        ...createWebhookRouters(config, { ingest, statuses: outbox, practiceId: () => practiceId, logger, metrics }),
      ];
      routers.push(healthRouter(config.METRICS_PORT === undefined), webRouter);
      routers.push(
        createSecurePageRouter({
          ...{ db, keyRing, audit, links, logger, practiceName: practice.name, practicePhone: practice.profile.phone },
          ...secureRecordsFor(practice.locations[0]?.timeZone ?? 'UTC'),
          now: parts.options.now,
        }),
      );
      routers.push(
        createInboxRouter({
          ...{ db, keyRing, audit, gate, links, directory, appointments, repository, sendQueue, events, logger },
          ...{ practiceId, practiceName: practice.name, shapeDrafts, now: parts.options.now },
          practice: (trx, id) => practiceContent.get(trx, id),
          capabilities: (channel) => senders.find((sender) => sender.channel === channel)?.capabilities,
          startTimer: (itemId, dueAt) => handoff.startTimer(itemId, dueAt),
          idleMs: config.STAFF_IDLE_MINUTES * 60_000,
          releases,
          preview: new PreviewSandbox({
            ...{ practiceId, actions, now },
            liveProfile: async () => (await practiceContent.get(db, practiceId)).profile,
          }),
        }),
      );
      if (config.demoMode) {
        const queueAutomated = (message: AutomatedMessage) =>
          queueAutomatedMessage({ db, ingest, repository, sendQueue, gate }, message);
        routers.push(createDevOutboxRouter({ db, keyRing, ingest, practiceId: () => practiceId, queueAutomated }));
      }
      const expressApp = createHttpApp(logger, metrics, routers, config.TRUST_PROXY);
      await events.start();
      httpServer = http.createServer(expressApp);
      webchat = new WebchatSocketServer({
        db,
        repository,
        ingest,
        events,
        tokens: new VisitorTokens(keyRing.deriveSecret('webchat-visitor-token')),
        logger,
        metrics,
        practiceId: () => practiceId,
        allowedOrigins: [new URL(config.publicUrl).origin],
        verifiedChats: {
          tokenLifetimeSeconds: VERIFIED_CHAT_TOKEN_SECONDS,
          start: (practice, code, visitorId) => handoffs.start(db, practice, code, visitorId),
        },
      });
      webchat.attach(httpServer);
      const bound = await listenOn(httpServer, port);
      logger.info({ port: bound }, 'listening');
      return bound;
    },

    async serveHealth(port) {
      healthServer = http.createServer(createHttpApp(logger, metrics, [healthRouter()]));
      const bound = await listenOn(healthServer, port);
      logger.info({ port: bound }, 'health and metrics listening');
      return bound;
    },

    async startWorkers() {
      const onFailed = (queue: string) => (job: { id?: string } | undefined, error: Error) =>
        logger.warn({ err: error, queue, jobId: job?.id }, 'job failed');
      const inboundWorker = processInboundQueue.createWorker(
        queueSettings,
        (data) => turns.processConversation(data.conversationId),
        WORKER_CONCURRENCY,
      );
      const sendWorker = sendOutboundQueue.createWorker(
        queueSettings,
        (data) => outbox.deliver(data.outboundMessageId),
        WORKER_CONCURRENCY,
      );
      inboundWorker.on('failed', onFailed(processInboundQueue.name));
      sendWorker.on('failed', onFailed(sendOutboundQueue.name));
      sendWorker.on('failed', (job) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          outbox
            .markDead(job.data.outboundMessageId, 'retries_exhausted')
            .catch((error: unknown) => logger.warn({ err: error }, 'dead-lettering failed'));
        }
      });
      const schedulingWorkers = await scheduling.startWorkers((queue, error) => onFailed(queue)(undefined, error));
      const handoffWorkers = await handoff.startWorkers((queue, error) => onFailed(queue)(undefined, error));
      for (const worker of [inboundWorker, sendWorker, ...schedulingWorkers, ...handoffWorkers]) {
        worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
        workers.push(worker as Worker);
      }
      const practiceTimeZone = (await practiceContent.get(db, practiceId)).locations[0]?.timeZone ?? 'UTC';
      const retention = await scheduleRetention(queueSettings, practiceTimeZone, async () => {
        logger.info({ ...(await runRetention(db, audit)) }, 'retention run');
      });
      retention.worker.on('error', (error) => logger.warn({ err: error }, 'worker error'));
      workers.push(retention.worker);
      cleanup.unshift(() => retention.queue.close());
      const recovery = { db, inboundQueue, sendQueue, logger, now: parts.options.now };
      await sweepLostWork(recovery, 0);
      sweepTimer = setInterval(() => {
        sweepLostWork(recovery).catch((error: unknown) => logger.warn({ err: error }, 'recovery sweep failed'));
      }, SWEEP_INTERVAL_MS);
      sweepTimer.unref();
    },

    async stop() {
      stopping = true; // /readyz answers 503 from here on, so a load balancer still routing here moves away
      clearInterval(sweepTimer);
      const step = (name: string, work: () => Promise<unknown>) => withDeadline(name, work(), logger);
      // Visitors' widgets reconnect to another web process and resume from their last seq.
      await step('webchat', async () => webchat?.close());
      // Requests already in (a webhook being stored) finish; the deadline then cuts whatever still hangs.
      if (httpServer) await step('http', () => drain(httpServer!));
      // Workers finish their current job before closing, so an accepted message is never half-processed.
      await step('workers', () => Promise.all(workers.map((worker) => worker.close())));
      if (healthServer) await step('health', () => drain(healthServer!));
      await step('events', () => events.stop());
      for (const close of cleanup) await step('resources', close);
    },
  };
  return app;
}

/** Web chat always; text channels through their provider when configured, else the dev outbox (demo mode). */
function createSenders(config: Config, events: ConversationEvents): ChannelSender[] {
  const senders: ChannelSender[] = [new WebchatSender(events)];
  if (config.META_PAGE_ACCESS_TOKEN && config.META_APP_SECRET) {
    senders.push(
      new MessengerSender({
        pageAccessToken: config.META_PAGE_ACCESS_TOKEN,
        appSecret: config.META_APP_SECRET,
        graphBaseUrl: config.META_GRAPH_BASE_URL,
      }),
    );
  } else if (config.demoMode) {
    senders.push(new DevOutboxSender('messenger'));
  }
  const twilioSettings = twilioSettingsFromConfig(config);
  const twilio = twilioSettings ? createTwilioSenders(twilioSettings) : {};
  for (const channel of ['sms', 'whatsapp'] as const) {
    const sender = twilio[channel];
    if (sender) senders.push(sender);
    else if (config.demoMode) senders.push(new DevOutboxSender(channel));
  }
  return senders;
}

/** Provider webhooks, mounted when their secrets are configured (each parses its own body: raw for signatures). */
function createWebhookRouters(config: Config, deps: Omit<MessengerWebhookDeps, 'appSecret' | 'verifyToken'>): Router[] {
  const routers: Router[] = [];
  if (config.TWILIO_AUTH_TOKEN) {
    routers.push(
      createTwilioWebhookRouter({ ...deps, authToken: config.TWILIO_AUTH_TOKEN, publicUrl: config.publicUrl }),
    );
  }
  if (config.META_APP_SECRET && config.META_VERIFY_TOKEN) {
    routers.push(
      createMessengerWebhookRouter({
        ...deps,
        appSecret: config.META_APP_SECRET,
        verifyToken: config.META_VERIFY_TOKEN,
      }),
    );
  }
  return routers;
}

const SHUTDOWN_STEP_MS = 15_000;

function listenOn(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Stops accepting, closes idle keep-alive connections and waits for requests in flight; the step deadline ends it. */
async function drain(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const stragglers = setTimeout(() => server.closeAllConnections(), SHUTDOWN_STEP_MS - 1_000);
  try {
    await closed;
  } finally {
    clearTimeout(stragglers);
  }
}

/** Shutdown must end: a step that fails or hangs is logged and the next one runs. */
async function withDeadline(name: string, work: Promise<unknown>, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SHUTDOWN_STEP_MS);
  });
  try {
    if ((await Promise.race([work, deadline])) === 'timeout') logger.warn({ step: name }, 'shutdown step timed out');
  } catch (error) {
    logger.warn({ err: error, step: name }, 'shutdown step failed');
  } finally {
    clearTimeout(timer);
  }
}
