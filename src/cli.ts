/**
 * The `concierge` command (DESIGN §5). Each command builds only what it needs: the NLU commands and
 * `flows validate` need no database or Redis.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { Kysely } from 'kysely';
import { FLOWS_DIR, INTENTS_DIR } from './project-paths';
import { type Config, loadConfig } from './config';
import { migrateToLatest } from './db/migrate';
import { openDatabase } from './db/open-database';
import type { Database } from './db/schema';
import { createActionRegistry } from './flows/actions';
import { FlowValidationError, loadFlowFiles } from './flows/flow-loader';
import { evaluateNlu } from './nlu/evaluate';
import { LocalNluEngine, createLocalNluEngine } from './nlu/local-nlu-engine';
import { isLanguage } from './nlu/nlu-engine';
import { type TrainingData, loadTrainingData } from './nlu/training-data';
import { parseBundle } from './content/content-bundle';
import { PUBLISHED_TRAINING_FILE, contentPublishedChannel, trainingDataOf } from './content/content-runtime';
import { ContentReleases } from './content/content-releases';
import { readContentFiles, writeContentFiles } from './content/content-files';
import { type ContentTransferDeps, importContent, publishedContent } from './content/content-transfer';
import { dialogflowAgentZip } from './content/dialogflow-agent';
import { importDialogflowAgent, writeAgentFolder } from './content/dialogflow-agent-import';
import { seedDemoPractice } from './practice/demo-seed';
import { runRetention } from './compliance/retention';
import { AuditLog } from './audit/audit-log';
import { ConsentLedger } from './consent/consent-ledger';
import { createPhiServices } from './consent/phi-services';
import { PHI_POLICY_CHANNELS, readPhiPolicy, setPhiRule } from './consent/phi-policy-store';
import { PHI_RULES } from './practice/practice-profile';
import { type AutomatedMessageDeps, queueAutomatedMessage } from './channels/automated-message';
import { ConversationRepository } from './conversation/conversation-repository';
import { IngestService } from './conversation/ingest-service';
import { loadKeyRing } from './phi/dev-key-ring';
import { rotateKeys } from './phi/key-rotation';
import { StaffAccounts } from './inbox/staff-accounts';
import { type StaffAccessDeps, disableStaff, enableStaff, signOutEveryone } from './inbox/staff-access';
import { seedDemoPatients } from './identity/demo-patients';
import { findDefaultPracticeId } from './practice/practice-repository';
import { processInboundQueue } from './queues/process-inbound-queue';
import { sendOutboundQueue } from './queues/send-outbound-queue';
import { connectRedis } from './redis/redis-connection';

function print(value: unknown): void {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
}

async function trainedEngine() {
  const engine = createLocalNluEngine(INTENTS_DIR);
  await engine.train();
  return engine;
}

/**
 * The engine trained on what the practice published (phrases added in /admin included): from PostgreSQL, or with the
 * embedded database from the copy the product keeps in DATA_DIR (the product holds the database itself); intents/
 * until anything is published.
 */
async function publishedEngine() {
  const config = loadConfig();
  const engine = new LocalNluEngine({
    loadTrainingData: async () => (await publishedTraining(config)) ?? loadTrainingData(INTENTS_DIR),
  });
  await engine.train();
  return engine;
}

async function publishedTraining(config: Config): Promise<TrainingData | undefined> {
  if (!config.DATABASE_URL) {
    const file = path.join(config.dataDir, PUBLISHED_TRAINING_FILE);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as TrainingData);
  }
  let training: TrainingData | undefined;
  await withDatabase(async ({ db }) => {
    const practiceId = await findDefaultPracticeId(db).catch(() => undefined);
    const release = practiceId
      ? await db
          .selectFrom('content_releases')
          .select('content')
          .where('practice_id', '=', practiceId)
          .where('status', '=', 'published')
          .executeTakeFirst()
          .catch(() => undefined)
      : undefined;
    if (release) training = trainingDataOf(parseBundle(release.content));
  });
  return training;
}

async function withDatabase(work: (handle: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>): Promise<void> {
  const handle = await openDatabase(loadConfig());
  try {
    await work(handle);
  } finally {
    await handle.close();
  }
}

/** The database (migrated), the staff accounts and the practice, for `staff` commands. */
async function withStaffAccounts(
  work: (db: Kysely<Database>, accounts: StaffAccounts, practiceId: string) => Promise<void>,
): Promise<void> {
  await withStaffAccess((_access, accounts, db, practiceId) => work(db, accounts, practiceId));
}

/** As withStaffAccounts, with what revoking access needs (done by the operator: actor `cli`). */
async function withStaffAccess(
  work: (access: StaffAccessDeps, accounts: StaffAccounts, db: Kysely<Database>, practiceId: string) => Promise<void>,
): Promise<void> {
  await withDatabase(async ({ db, schema }) => {
    await migrateToLatest(db, schema);
    const config = loadConfig();
    const audit = new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir));
    const practiceId = await findDefaultPracticeId(db);
    if (!practiceId) throw new Error('no practice exists: run `concierge seed-demo` or create one');
    await work({ db, audit, actor: 'cli' }, new StaffAccounts(audit), db, practiceId);
  });
}

/** Emails are stored lower-case and trimmed; commands print them so. */
function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The database (migrated) and the practice's content releases, for `flows export` / `import`. */
async function withContentReleases(work: (deps: ContentTransferDeps) => Promise<void>): Promise<void> {
  await withDatabase(async ({ db, schema }) => {
    await migrateToLatest(db, schema);
    const config = loadConfig();
    const actions = createActionRegistry();
    const audit = new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir));
    await work({ db, actions, releases: new ContentReleases({ db, audit, actions, now: () => new Date() }) });
  });
}

/**
 * Tells running processes to load a release the CLI published. Only with PostgreSQL: the embedded database belongs
 * to one process, so the product is not running while a command holds it.
 */
async function announceRelease(version: number): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) return;
  try {
    const redis = await connectRedis(config.REDIS_URL, config.dataDir);
    try {
      await redis.client.publish(contentPublishedChannel(config.QUEUE_PREFIX), JSON.stringify({ version }));
    } finally {
      await redis.close();
    }
  } catch (error) {
    process.stderr.write(
      `version ${version} is published, but running processes could not be told (${(error as Error).message}): restart them\n`,
    );
  }
}

const AUTOMATED_CHANNELS = ['sms', 'whatsapp', 'messenger'] as const;

/** The database, key ring and send queue, for commands that put work in the outbox. */
async function withOutbox(work: (deps: AutomatedMessageDeps) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const keyRing = loadKeyRing(config.PHI_KEYS, config.dataDir);
  await withDatabase(async ({ db, schema }) => {
    await migrateToLatest(db, schema);
    const redis = await connectRedis(config.REDIS_URL, config.dataDir);
    const settings = { connection: redis.client, prefix: config.QUEUE_PREFIX };
    const sendQueue = sendOutboundQueue.createQueue(settings);
    const inboundQueue = processInboundQueue.createQueue(settings);
    try {
      const repository = new ConversationRepository(keyRing);
      const { gate } = createPhiServices(config, keyRing);
      await work({ db, repository, sendQueue, gate, ingest: new IngestService(db, repository, inboundQueue) });
    } finally {
      await sendQueue.close();
      await inboundQueue.close();
      await redis.close();
    }
  });
}

export function buildCli(): Command {
  const program = new Command('concierge').description('Clinic Concierge command line').showHelpAfterError();

  program
    .command('migrate')
    .description('bring the database schema to the latest version')
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        const applied = await migrateToLatest(db, schema);
        print(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
      }),
    );

  program
    .command('seed-demo')
    .description('create the demo practice, its location, default flows and demo patients (keeps existing rows)')
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        await seedDemoPractice(db, await loadFlowFiles(FLOWS_DIR, createActionRegistry()));
        const practiceId = await findDefaultPracticeId(db);
        const config = loadConfig();
        if (practiceId) await seedDemoPatients(db, loadKeyRing(config.PHI_KEYS, config.dataDir), practiceId);
        print('demo practice seeded');
      }),
    );

  const nlu = program.command('nlu').description('train, try, measure and import the local NLU');
  nlu
    .command('train')
    .description('train the local model from intents/ and report what it learned')
    .action(async () => {
      const started = performance.now();
      const data = await loadTrainingData(INTENTS_DIR);
      await trainedEngine();
      const phrases = data.intents.reduce(
        (sum, intent) => sum + intent.phrases.en.length + intent.phrases.es.length,
        0,
      );
      print({ intents: data.intents.length, phrases, trainingMs: Math.round(performance.now() - started) });
    });
  nlu
    .command('parse')
    .description('classify one message with the published training phrases (intents/ until something is published)')
    .argument('<text>')
    .option('--lang <lang>', 'en or es (guessed when omitted)')
    .action(async (text: string, options: { lang?: string }) => {
      if (options.lang !== undefined && !isLanguage(options.lang)) program.error('--lang must be en or es');
      const engine = await publishedEngine();
      print(await engine.parse(text, options.lang as 'en' | 'es' | undefined));
    });
  nlu
    .command('eval')
    .description('measure accuracy on a CSV with columns text,intent,lang (intent none = out of scope)')
    .argument('<file>')
    .action(async (file: string) => {
      const csv = await fs.readFile(file, 'utf8');
      print(await evaluateNlu(await trainedEngine(), csv));
    });
  nlu
    .command('import-dialogflow')
    .description('replace agent.json, package.json and intents/ with the training phrases of a Dialogflow ES agent zip')
    .argument('<zip>', 'an agent export, agent.json at its root or in one top folder')
    .option('--out <dir>', 'the folder to write into', INTENTS_DIR)
    .action(async (zip: string, options: { out: string }) => {
      const { files, intents, phrases, skipped } = importDialogflowAgent(await fs.readFile(zip), zip);
      await writeAgentFolder(options.out, files);
      print({ dir: options.out, intents, phrases, skipped });
    });

  const flowsCommand = program.command('flows').description('work with conversation flows and published content');
  flowsCommand
    .command('validate')
    .description('check every flow file in flows/ (or the given folder)')
    .argument('[dir]', 'folder of flow YAML files', FLOWS_DIR)
    .action(async (dir: string) => {
      const flows = await loadFlowFiles(dir, createActionRegistry());
      print(`${flows.length} flows are valid`);
    });
  flowsCommand
    .command('export')
    .description('write the published content to <dir>: practice.yaml, flows/*.yaml and intents/ (Dialogflow ES)')
    .argument('<dir>')
    .action((dir: string) =>
      withContentReleases(async (deps) => {
        const { version, ...files } = await publishedContent(deps);
        await writeContentFiles(dir, files);
        print({ version, flows: files.content.flows.length, intents: files.content.training.length, dir });
      }),
    );
  flowsCommand
    .command('import')
    .description('publish the content of <dir> (as written by `flows export`) as the next version')
    .argument('<dir>')
    .action((dir: string) =>
      withContentReleases(async (deps) => {
        const result = await importContent(deps, await readContentFiles(dir), 'cli');
        await announceRelease(result.version);
        print(result);
      }),
    );
  flowsCommand
    .command('export-dialogflow')
    .description('write the published training phrases as a zip Dialogflow ES can import (agent.json at its root)')
    .argument('<file>', 'the zip to write, e.g. agent.zip')
    .action((file: string) =>
      withContentReleases(async (deps) => {
        const { content } = await publishedContent(deps);
        await fs.writeFile(file, dialogflowAgentZip(content));
        print({ file, intents: content.training.length });
      }),
    );

  program
    .command('audit')
    .description('the hash-chained audit trail')
    .command('verify')
    .description('walks the audit chain; exits 1 naming the first row that was edited, removed or reordered')
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        const config = loadConfig();
        const report = await new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir)).verify(db);
        if (report.ok) {
          print(report);
          return;
        }
        print(report);
        const { id, problem } = report.firstBreak;
        process.stderr.write(
          `audit chain broken at event ${id}: ${problem === 'edited' ? 'the row was changed' : 'the row before it was removed or moved'}\n`,
        );
        process.exitCode = 1;
      }),
    );

  program
    .command('keys')
    .description('the PHI key ring')
    .command('rotate')
    .description('re-seal every encrypted value under the first key of PHI_KEYS, in batches, while the product runs')
    .option('--batch <n>', 'rows per batch', '500')
    .action((options: { batch: string }) =>
      withDatabase(async ({ db, schema }) => {
        const batch = Number(options.batch);
        if (!Number.isInteger(batch) || batch < 1) throw new Error('--batch must be a positive whole number');
        await migrateToLatest(db, schema);
        const config = loadConfig();
        const keyRing = loadKeyRing(config.PHI_KEYS, config.dataDir);
        print(await rotateKeys(db, keyRing, new AuditLog(keyRing), batch));
      }),
    );

  program
    .command('retention')
    .description('purging what is kept no longer than needed')
    .command('run')
    .description(
      "purges message bodies and dialog state past each practice's retention period, and expired codes and limits; prints the counts",
    )
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        const config = loadConfig();
        print(await runRetention(db, new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir))));
      }),
    );

  program
    .command('consent')
    .description('the consent ledger')
    .command('show')
    .description('prints the consent history of a phone number (SMS and WhatsApp), oldest first, with its evidence')
    .argument('<phone>', 'E.164 phone number, e.g. +15555550123')
    .action((phone: string) =>
      withDatabase(async ({ db, schema }) => {
        if (!/^\+[1-9][0-9]{6,14}$/.test(phone))
          throw new Error('<phone> must be an E.164 number such as +15555550123');
        await migrateToLatest(db, schema);
        const config = loadConfig();
        const keyRing = loadKeyRing(config.PHI_KEYS, config.dataDir);
        const hashes = [
          keyRing.blindIndex('contact:sms', phone),
          keyRing.blindIndex('contact:whatsapp', `whatsapp:${phone}`),
        ];
        const contacts = await db.selectFrom('contacts').select('id').where('address_hash', 'in', hashes).execute();
        const ledger = new ConsentLedger(keyRing, new AuditLog(keyRing));
        print(
          await ledger.history(
            db,
            contacts.map((contact) => contact.id),
          ),
        );
      }),
    );

  program
    .command('phi-policy')
    .description('prints which channels may carry PHI; with <channel> <rule>, changes one (audited)')
    .argument('[channel]', PHI_POLICY_CHANNELS.join(' | '))
    .argument('[rule]', PHI_RULES.join(' | '))
    .action((channel: string | undefined, rule: string | undefined) =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        const practiceId = await findDefaultPracticeId(db);
        if (!practiceId) throw new Error('no practice exists: run `concierge seed-demo` first');
        if (channel === undefined) return print(await readPhiPolicy(db, practiceId));
        if (rule === undefined) throw new Error(`give the rule for ${channel}: ${PHI_RULES.join(' | ')}`);
        const config = loadConfig();
        const audit = new AuditLog(loadKeyRing(config.PHI_KEYS, config.dataDir));
        print(await setPhiRule(db, audit, { practiceId, channel, rule, actor: 'cli' }));
      }),
    );

  const staff = program.command('staff').description('staff accounts');
  staff
    .command('add')
    .description(
      'creates a staff account and prints its one-time password (changed at first login, with a TOTP enrolment)',
    )
    .requiredOption('--email <email>', 'the login email')
    .requiredOption('--name <name>', 'the name shown to colleagues')
    .requiredOption('--role <role>', 'front_desk, nurse, billing, practice_manager or admin')
    .option(
      '--department <department...>',
      "front_desk, nurse_line, billing or practice_management (default: the role's)",
    )
    .option('--location <location...>', 'location ids (default: all of the practice)')
    .action((options: { email: string; name: string; role: string; department?: string[]; location?: string[] }) =>
      withStaffAccounts(async (db, accounts, practiceId) => {
        const added = await accounts.add(
          db,
          {
            practiceId,
            email: options.email,
            name: options.name,
            role: options.role,
            ...(options.department ? { departments: options.department } : {}),
            ...(options.location ? { locations: options.location } : {}),
          },
          'cli',
        );
        print({ id: added.id, email: added.email, role: added.role, oneTimePassword: added.oneTimePassword });
      }),
    );
  staff
    .command('reset-password')
    .description(
      'gives a staff member a new one-time password and signs them out (an admin can also do it in /inbox/admin)',
    )
    .requiredOption('--email <email>', 'the login email')
    .option('--authenticator', 'also clear the TOTP enrolment (a lost phone): the next login enrols again')
    .action((options: { email: string; authenticator?: boolean }) =>
      withStaffAccounts(async (db, accounts, practiceId) => {
        const id = await accounts.idByEmail(db, practiceId, options.email);
        const oneTimePassword = await accounts.resetPassword(db, id, 'cli', {
          authenticator: options.authenticator === true,
        });
        print({ id, email: normalEmail(options.email), oneTimePassword });
      }),
    );

  staff
    .command('disable')
    .description('shuts a staff member out: no more logins, open sessions end (audited); undo with staff enable')
    .requiredOption('--email <email>', 'the login email')
    .action((options: { email: string }) =>
      withStaffAccess(async (access, accounts, db, practiceId) => {
        const id = await accounts.idByEmail(db, practiceId, options.email);
        print({ id, email: normalEmail(options.email), disabled: true, ...(await disableStaff(access, id)) });
      }),
    );
  staff
    .command('enable')
    .description('lets a disabled staff member log in again (audited); reset the password if it may be known')
    .requiredOption('--email <email>', 'the login email')
    .action((options: { email: string }) =>
      withStaffAccess(async (access, accounts, db, practiceId) => {
        const id = await accounts.idByEmail(db, practiceId, options.email);
        await enableStaff(access, id);
        print({ id, email: normalEmail(options.email), disabled: false });
      }),
    );
  staff
    .command('sign-out-everyone')
    .description('ends every open staff session: everyone logs in again, with password and authenticator (audited)')
    .action(() =>
      withStaffAccess(async (access, _accounts, _db, practiceId) => print(await signOutEveryone(access, practiceId))),
    );

  program
    .command('scheduling')
    .description('scheduling requests')
    .command('pending')
    .description(
      'requests staff must see: waiting for the EMR to answer, or left for a person (ids and codes, no details)',
    )
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        const rows = await db
          .selectFrom('scheduling_requests')
          .select([
            'id',
            'conversation_id',
            'kind',
            'status',
            'attempts',
            'next_attempt_at',
            'last_error',
            'created_at',
          ])
          .where('status', 'in', ['requested', 'waiting_for_emr', 'needs_staff'])
          .orderBy('created_at')
          .limit(500)
          .execute();
        print(rows);
      }),
    );

  const outbox = program.command('outbox').description('inspect and use the outbox');
  outbox
    .command('failed')
    .description('list messages that could not be sent (failed, undelivered or dead-lettered); no contents')
    .action(() =>
      withDatabase(async ({ db, schema }) => {
        await migrateToLatest(db, schema);
        const rows = await db
          .selectFrom('outbound_messages')
          .select(['id', 'conversation_id', 'channel', 'status', 'last_error_code', 'attempts', 'updated_at'])
          .where('status', 'in', ['failed', 'undelivered', 'dead'])
          .orderBy('id', 'desc')
          .limit(500)
          .execute();
        print(rows);
      }),
    );
  outbox
    .command('send')
    .description('queue an automated message (not a reply); opt-outs, quiet hours and the WhatsApp window apply')
    .requiredOption('--channel <channel>', 'sms, whatsapp or messenger')
    .requiredOption('--to <address>', 'E.164 phone number, or Messenger PSID')
    .option('--lang <lang>', 'en or es', 'en')
    .argument('<text>', 'the message (no PHI: it is classified as PHI-free)')
    .action((text: string, options: { channel: string; to: string; lang: string }) => {
      if (!AUTOMATED_CHANNELS.includes(options.channel as never))
        throw new Error('--channel must be sms, whatsapp or messenger');
      if (!isLanguage(options.lang)) throw new Error('--lang must be en or es');
      const channel = options.channel as (typeof AUTOMATED_CHANNELS)[number];
      const lang = options.lang;
      return withOutbox(async (deps) => {
        const practiceId = await findDefaultPracticeId(deps.db);
        if (!practiceId) throw new Error('no practice exists: run `concierge seed-demo` first');
        const id = await queueAutomatedMessage(deps, { practiceId, channel, address: options.to, text, lang });
        print({ outboundMessageId: id, status: 'queued' });
      });
    });

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    process.stderr.write(
      `${error instanceof FlowValidationError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

if (require.main === module) void runCli(process.argv);
