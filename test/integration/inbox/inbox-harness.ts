/**
 * Staff and patients around the real product for inbox and handoff tests. Staff accounts come from StaffAccounts and
 * their sessions from StaffSessions, advanced to `active` as the login steps would, so the app's own /inbox routes
 * accept the cookie and CSRF token; the inbox services are built from the app's parts as the inbox router builds
 * them. Patients speak through the real web chat socket.
 */
import { type App, createApp } from '../../../src/app';
import { ConversationEvents } from '../../../src/conversation/conversation-events';
import type { Department, StaffRole } from '../../../src/db/staff-tables';
import { type HandoffRuntime, createHandoffRuntime } from '../../../src/handoff/handoff-runtime';
import { CannedResponses } from '../../../src/inbox/canned-responses';
import { InboxQueue } from '../../../src/inbox/inbox-queue';
import { StaffAccounts, type StaffMember } from '../../../src/inbox/staff-accounts';
import { type StaffContext, loadStaffContext } from '../../../src/inbox/staff-scope';
import { StaffSessions } from '../../../src/inbox/staff-sessions';
import { loadPracticeContent } from '../../../src/practice/practice-repository';
import { STAFF_COOKIE } from '../../../src/web/inbox/inbox-session';
import { type TestEnvironment, createTestEnvironment } from '../../support/test-config';
import { waitFor } from '../../support/wait-for';
import { type Frame, WebchatTestClient } from '../../support/webchat-client';

/** A clock running from Monday 2026-11-30 10:00 in New York (open 8 to 5): escalations get a reply target. */
export function mondayMorningClock(): () => Date {
  const shiftMs = Date.parse('2026-11-30T15:00:00Z') - Date.now();
  return () => new Date(Date.now() + shiftMs);
}

/** The whole product on PostgreSQL and Redis with its workers, its web chat socket and an inbox harness. */
export interface InboxProduct {
  readonly environment: TestEnvironment;
  readonly app: App;
  /** The web chat socket's URL. */
  readonly url: string;
  readonly inbox: InboxHarness;
  stop(): Promise<void>;
}

/** Starts the product on `now`'s clock; `beforeWorkers` changes what the first turn will read (e.g. the practice). */
export async function startInboxProduct(
  now: () => Date,
  beforeWorkers: (app: App) => Promise<void> = async () => undefined,
): Promise<InboxProduct> {
  const environment = await createTestEnvironment('postgres');
  const app = await createApp(environment.config, { now, logDestination: { write: () => undefined } });
  await beforeWorkers(app);
  await app.startWorkers();
  const port = await app.listen(0);
  const inbox = InboxHarness.create(app, `http://127.0.0.1:${port}`, now);
  return {
    environment,
    app,
    url: `ws://127.0.0.1:${port}/webchat`,
    inbox,
    async stop() {
      await inbox.close();
      await app.stop();
      await environment.cleanup();
    },
  };
}

export interface SignedInStaff {
  readonly id: string;
  readonly name: string;
  readonly cookie: string;
  readonly csrf: string;
}

export interface NewStaff {
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly departments?: readonly Department[];
}

export class InboxHarness {
  readonly queue: InboxQueue;
  readonly canned: CannedResponses;
  private readonly accounts: StaffAccounts;
  private readonly sessions: StaffSessions;

  private constructor(
    private readonly app: App,
    readonly base: string,
    private readonly handoff: HandoffRuntime,
    events: ConversationEvents,
    now: () => Date,
  ) {
    const { db } = app.database;
    this.accounts = new StaffAccounts(app.audit, now);
    this.sessions = new StaffSessions(app.keyRing, { now });
    this.canned = new CannedResponses(db, app.audit);
    this.queue = new InboxQueue({
      ...{ db, keyRing: app.keyRing, audit: app.audit, events, practice: loadPracticeContent, now },
      startTimer: (itemId, dueAt) => handoff.startTimer(itemId, dueAt),
    });
  }

  /** `base` is the app's HTTP origin; `now` the clock the app was given. */
  static create(app: App, base: string, now: () => Date = () => new Date()): InboxHarness {
    // The app's own event channel, so open inboxes and the SLA worker hear what these services do.
    const events = new ConversationEvents(app.redis.client, `${app.config.QUEUE_PREFIX}:conversation-events`);
    const handoff = createHandoffRuntime({
      ...{ db: app.database.db, audit: app.audit, metrics: app.metrics, events, now },
      queueSettings: { connection: app.redis.client, prefix: app.config.QUEUE_PREFIX },
      practice: loadPracticeContent,
    });
    return new InboxHarness(app, base, handoff, events, now);
  }

  async close(): Promise<void> {
    await this.handoff.close();
  }

  /** A new account that has not signed in. */
  async addAccount(member: NewStaff): Promise<StaffMember> {
    return this.accounts.add(this.app.database.db, { ...member, practiceId: this.app.practiceId }, 'test');
  }

  /** A new account, signed in with a live session (last seen now): what round-robin counts as present. */
  async signIn(member: NewStaff): Promise<SignedInStaff> {
    const { db } = this.app.database;
    const created = await this.addAccount(member);
    const { token, session } = await this.sessions.start(db, created);
    await this.sessions.advance(db, session.id, 'active');
    return {
      id: created.id,
      name: created.name,
      cookie: `${STAFF_COOKIE}=${token}`,
      csrf: this.sessions.csrfToken(token),
    };
  }

  /** The person as the inbox services see them now (availability included). */
  async context(staff: { readonly id: string }): Promise<StaffContext> {
    const context = await loadStaffContext(this.app.database.db, staff.id);
    if (!context) throw new Error(`no staff member ${staff.id}`);
    return context;
  }

  /** A form POST to the inbox, as the page sends it (CSRF token, same origin); redirects are not followed. */
  post(staff: SignedInStaff, path: string, fields: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { cookie: staff.cookie, origin: this.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, csrf: staff.csrf }),
      redirect: 'manual',
    });
  }

  get(staff: SignedInStaff, path: string): Promise<Response> {
    return fetch(`${this.base}${path}`, { headers: { cookie: staff.cookie }, redirect: 'manual' });
  }

  /** The open item of a conversation, once its turn committed. */
  openItem(conversationId: string) {
    return waitFor(() => this.queue.openItem(conversationId), 15_000, 'the open inbox item');
  }
}

/** A web chat visitor, connected and greeted. */
export class WebchatPatient {
  private constructor(
    readonly client: WebchatTestClient,
    readonly conversationId: string,
  ) {}

  static async connect(url: string): Promise<WebchatPatient> {
    const client = await WebchatTestClient.connect(url);
    const welcome = await client.hello();
    return new WebchatPatient(client, String(welcome.conversationId));
  }

  /** Sends `text` and waits for `replies` more bot messages; their texts. */
  async ask(text: string, replies = 1): Promise<string[]> {
    const before = this.client.botMessages().length;
    this.send(text);
    const messages = await this.client.waitForBotMessages(before + replies);
    return messages.slice(before).map((frame) => String(frame.text));
  }

  /** Sends `text` without waiting for an answer (a staff-owned conversation gets none). */
  send(text: string): void {
    this.client.send({
      type: 'message',
      clientMsgId: `msg-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      text,
    });
  }

  staffMessages(): Frame[] {
    return this.client.frames.filter((frame) => frame.type === 'message' && frame.role === 'staff');
  }

  close(): void {
    this.client.close();
  }
}

/** The conversation's state: bot, waiting, assigned or closed. */
export async function stateOf(app: App, conversationId: string): Promise<string> {
  const row = await app.database.db
    .selectFrom('conversations')
    .select('state')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return row.state;
}

/** Waits until the conversation's `count` patient messages were all processed (its turns committed). */
export async function processedInbound(app: App, conversationId: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = await app.database.db
        .selectFrom('inbound_messages')
        .select('processed_at')
        .where('conversation_id', '=', conversationId)
        .execute();
      return rows.length >= count && rows.every((row) => row.processed_at !== null);
    },
    15_000,
    `${count} processed patient messages`,
  );
}

/** The conversation's outbound messages in order, decrypted, with who wrote them. */
export async function outboundTexts(app: App, conversationId: string) {
  const rows = await app.database.db
    .selectFrom('outbound_messages')
    .select(['author', 'body_enc', 'status', 'last_error_code'])
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    author: row.author,
    status: row.status,
    errorCode: row.last_error_code,
    text: row.body_enc === null ? '' : app.keyRing.decrypt(row.body_enc),
  }));
}

/** Opens a sealed column with the app's key ring (a missing value fails the test). */
export function unseal(app: App, sealed: string | null): string {
  if (sealed === null) throw new Error('expected a sealed value, found none');
  return app.keyRing.decrypt(sealed);
}
