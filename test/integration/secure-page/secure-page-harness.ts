/**
 * The secure page on a bare Express app, against a fresh database, with small real implementations of its injected
 * dependencies: patients found by blind index as the product stores them, codes captured instead of texted, a
 * movable clock. `TestBrowser` is a cookie-keeping HTTP client with its own client IP (X-Forwarded-For).
 */
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Kysely } from 'kysely';
import { AuditLog } from '../../../src/audit/audit-log';
import { type DatabaseHandle } from '../../../src/db/open-database';
import { prepareDatabase } from '../../../src/db/prepare-database';
import type { Database } from '../../../src/db/schema';
import { type IssueLinkInput, type IssuedLink, SecureLinks } from '../../../src/identity/secure-links';
import { createLogger } from '../../../src/observability/logger';
import { KeyRing } from '../../../src/phi/key-ring';
import { DEMO_PRACTICE_ID } from '../../../src/practice/demo-practice';
import { createSecurePageRouter } from '../../../src/web/secure/secure-page-router';
import type { PatientOnRecord, SecurePageDeps } from '../../../src/web/secure/secure-page-types';
import { TEST_PHI_KEYS, type TestEnvironment, createTestEnvironment } from '../../support/test-config';

export const PRACTICE_NAME = 'Riverside Family Medicine';
export const PRACTICE_PHONE = '(555) 010-2000';

export interface CapturedCode {
  readonly via: 'sms' | 'email';
  /** The phone or email address on record it went to. */
  readonly address: string;
  readonly text: string;
  readonly code: string;
  readonly patientId: string;
}

export interface SeededPatient {
  readonly given: string;
  readonly family: string;
  readonly birthDate: string;
  readonly phone: string;
  readonly email?: string;
}

export class TestClock {
  current = new Date('2031-05-06T14:00:00.000Z');
  readonly now = (): Date => new Date(this.current.getTime());

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export type HarnessOptions = Partial<
  Pick<
    SecurePageDeps,
    'limits' | 'idleTimeoutMs' | 'sessionMaxMs' | 'birthDateStepMinimumMs' | 'verifiedChatUrl' | 'offersEmail'
  >
> & {
  readonly kind?: 'postgres' | 'pglite';
  /** Real time instead of the movable clock (browser tests). */
  readonly realClock?: boolean;
};

export class SecurePageHarness {
  readonly sentCodes: CapturedCode[] = [];
  readonly verifiedContacts: Array<{ contactId: string; patientId: string }> = [];

  private constructor(
    readonly environment: TestEnvironment,
    readonly database: DatabaseHandle,
    readonly keyRing: KeyRing,
    readonly audit: AuditLog,
    readonly links: SecureLinks,
    readonly clock: TestClock,
    private server: Server | undefined,
    public base: string,
  ) {}

  get db(): Kysely<Database> {
    return this.database.db;
  }

  static async start(options: HarnessOptions = {}): Promise<SecurePageHarness> {
    const { kind, realClock, ...pageOptions } = options;
    const environment = await createTestEnvironment(kind ?? 'postgres');
    const database = await prepareDatabase(environment.config, createLogger('silent'));
    const keyRing = new KeyRing(TEST_PHI_KEYS);
    const audit = new AuditLog(keyRing);
    const clock = new TestClock();
    const now = realClock ? () => new Date() : clock.now;
    const links = new SecureLinks({ keyRing, audit, publicUrl: 'http://127.0.0.1:1', now });
    const harness = new SecurePageHarness(environment, database, keyRing, audit, links, clock, undefined, '');
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(createSecurePageRouter({ ...harness.dependencies(), ...pageOptions, now }));
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    harness.server = server;
    harness.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return harness;
  }

  /** The injected dependencies, implemented for real against the seeded rows. */
  private dependencies(): SecurePageDeps {
    return {
      db: this.db,
      keyRing: this.keyRing,
      audit: this.audit,
      links: this.links,
      logger: createLogger('silent'),
      practiceName: PRACTICE_NAME,
      practicePhone: PRACTICE_PHONE,
      findPatientsForLink: (link, birthDate, phone) => this.findPatientsForLink(link, birthDate, phone),
      sendCode: async (input) => {
        this.sentCodes.push({
          via: input.via,
          address: input.address,
          text: input.text,
          patientId: input.patientId,
          code: /\b(\d{6})\b/.exec(input.text)?.[1] ?? '',
        });
      },
      markVerified: async ({ contactId, patientId }) => {
        this.verifiedContacts.push({ contactId, patientId });
        await this.db
          .updateTable('contacts')
          .set({ patient_id: patientId, verified_at: this.clock.now() })
          .where('id', '=', contactId)
          .execute();
      },
      withheldContent: async ({ patientId, topic, requestId }) => {
        const patient = await this.patient(patientId);
        await this.db.transaction().execute((transaction) =>
          this.audit.append(transaction, {
            actor: 'system',
            action: 'phi.disclosed',
            patientRef: `patient:${patientId}`,
            purpose: topic,
            requestId,
          }),
        );
        return {
          heading: 'Your appointments',
          items: [`${patient.given} ${patient.family}: annual physical, Tuesday June 3 at 9:30 AM`],
        };
      },
    };
  }

  async seedPatient(patient: SeededPatient): Promise<string> {
    const row = await this.db
      .insertInto('patients')
      .values({
        practice_id: DEMO_PRACTICE_ID,
        emr_id: `test-${crypto.randomUUID()}`,
        demographics_enc: this.keyRing.encryptJson(patient),
        phone_hash: this.keyRing.blindIndex('patient:phone', patient.phone),
        birth_date_hash: this.keyRing.blindIndex('patient:birth-date', patient.birthDate),
        duplicate_hash: crypto.randomUUID(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** A new conversation of this phone's contact (created on first use). */
  async seedConversation(
    phone: string,
    language: 'en' | 'es' | null = null,
  ): Promise<{ contactId: string; conversationId: string }> {
    const addressHash = this.keyRing.blindIndex('contact:sms', phone);
    const existing = await this.db
      .selectFrom('contacts')
      .select('id')
      .where('address_hash', '=', addressHash)
      .executeTakeFirst();
    const contact =
      existing ??
      (await this.db
        .insertInto('contacts')
        .values({
          practice_id: DEMO_PRACTICE_ID,
          channel: 'sms',
          address_hash: addressHash,
          address_enc: this.keyRing.encrypt(phone),
        })
        .returning('id')
        .executeTakeFirstOrThrow());
    const conversation = await this.db
      .insertInto('conversations')
      .values({ practice_id: DEMO_PRACTICE_ID, contact_id: contact.id, channel: 'sms', language })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { contactId: contact.id, conversationId: conversation.id };
  }

  /** A new web chat visitor's conversation and its link (the page then asks for the phone on record too). */
  async webchatLink(): Promise<IssuedLink & { path: string; contactId: string; conversationId: string }> {
    const contact = await this.db
      .insertInto('contacts')
      .values({
        practice_id: DEMO_PRACTICE_ID,
        channel: 'webchat',
        address_hash: crypto.randomUUID(),
        address_enc: this.keyRing.encrypt(crypto.randomUUID()),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const conversation = await this.db
      .insertInto('conversations')
      .values({ practice_id: DEMO_PRACTICE_ID, contact_id: contact.id, channel: 'webchat' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids = { contactId: contact.id, conversationId: conversation.id };
    return { ...(await this.issueLink(ids)), ...ids };
  }

  /** A new conversation of this phone and its link. */
  async linkFor(
    phone: string,
    language: 'en' | 'es' | null = null,
  ): Promise<IssuedLink & { path: string; contactId: string; conversationId: string }> {
    const conversation = await this.seedConversation(phone, language);
    return { ...(await this.issueLink(conversation)), ...conversation };
  }

  /** Issues a link and returns its path (`/s/<token>`) on the test server. */
  async issueLink(
    input: Omit<IssueLinkInput, 'practiceId' | 'topic'> & { topic?: string },
  ): Promise<IssuedLink & { path: string }> {
    const issued = await this.links.issue(this.db, { practiceId: DEMO_PRACTICE_ID, topic: 'appointments', ...input });
    return { ...issued, path: new URL(issued.url).pathname };
  }

  async auditActions(): Promise<string[]> {
    const rows = await this.db.selectFrom('audit_events').select('action').orderBy('id').execute();
    return rows.map((row) => row.action);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.database.close();
    await this.environment.cleanup();
  }

  private async patient(patientId: string): Promise<SeededPatient> {
    const row = await this.db
      .selectFrom('patients')
      .select('demographics_enc')
      .where('id', '=', patientId)
      .executeTakeFirstOrThrow();
    return this.keyRing.decryptJson<SeededPatient>(row.demographics_enc);
  }

  private async findPatientsForLink(
    link: { contactId: string; patientId: string | null; practiceId: string },
    birthDate: string,
    typedPhone: string | undefined,
  ): Promise<PatientOnRecord[]> {
    const birthDateHash = this.keyRing.blindIndex('patient:birth-date', birthDate);
    let query = this.db
      .selectFrom('patients')
      .select(['id', 'demographics_enc'])
      .where('practice_id', '=', link.practiceId)
      .where('birth_date_hash', '=', birthDateHash);
    if (link.patientId) {
      query = query.where('id', '=', link.patientId);
    } else {
      const contact = await this.db
        .selectFrom('contacts')
        .select(['channel', 'address_enc'])
        .where('id', '=', link.contactId)
        .executeTakeFirstOrThrow();
      const isPhone = contact.channel === 'sms' || contact.channel === 'whatsapp';
      const phone = isPhone ? this.keyRing.decrypt(contact.address_enc).replace(/^whatsapp:/, '') : typedPhone;
      if (!phone) return [];
      query = query.where('phone_hash', '=', this.keyRing.blindIndex('patient:phone', phone));
    }
    const rows = await query.execute();
    return rows.map((row) => {
      const { phone, email } = this.keyRing.decryptJson<SeededPatient>(row.demographics_enc);
      return { patientId: row.id, phone, ...(email ? { email } : {}) };
    });
  }
}

export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  readonly elapsedMs: number;
}

let nextIp = 1;

/** An HTTP client that keeps the secure page's cookie, like one browser on one network. */
export class TestBrowser {
  cookie: string | undefined;
  readonly ip = `198.51.100.${nextIp++}`;

  constructor(private readonly base: string) {}

  get(path: string): Promise<PageResponse> {
    return this.request(path, { method: 'GET' });
  }

  post(path: string, form: Record<string, string>): Promise<PageResponse> {
    return this.request(path, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Posts a form step with the CSRF token of the page that showed it. */
  submit(path: string, page: PageResponse, step: string, fields: Record<string, string> = {}): Promise<PageResponse> {
    return this.post(path, { step, csrf: csrfToken(page.html, step), ...fields });
  }

  private async request(path: string, init: RequestInit): Promise<PageResponse> {
    const started = performance.now();
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.ip);
    if (this.cookie) headers.set('cookie', `cc_secure=${this.cookie}`);
    const response = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) {
      const value = /^cc_secure=([^;]*)/.exec(setCookie)?.[1];
      if (value) this.cookie = value;
    }
    const html = await response.text();
    return { status: response.status, headers: response.headers, html, elapsedMs: performance.now() - started };
  }
}

/** Opens the link (asking for the date-of-birth form if a code is awaited) and submits a date of birth. */
export async function enterBirthDate(browser: TestBrowser, path: string, birthDate: string): Promise<PageResponse> {
  let opened = await browser.get(path);
  if (heading(opened.html) === 'Enter your code') opened = await browser.get(`${path}?restart=1`);
  return browser.submit(path, opened, 'birth-date', { birthDate });
}

/** The whole identity check with the code that was texted; returns the page shown after it. */
export async function verifyIdentity(
  harness: SecurePageHarness,
  browser: TestBrowser,
  path: string,
  birthDate: string,
): Promise<PageResponse> {
  const codePage = await enterBirthDate(browser, path, birthDate);
  const sent = harness.sentCodes.at(-1);
  if (!sent) throw new Error('no code was sent');
  const verified = await browser.submit(path, codePage, 'code', { code: sent.code });
  if (verified.status !== 303) throw new Error(`the code was refused (${verified.status}: ${heading(verified.html)})`);
  return browser.get(path);
}

export function csrfToken(html: string, step: string): string {
  const token = new RegExp(`name="step" value="${step}"><input type="hidden" name="csrf" value="([^"]+)"`).exec(
    html,
  )?.[1];
  if (!token) throw new Error(`no ${step} form on the page`);
  return token;
}

/** The page with its CSRF tokens blanked, for byte-for-byte comparison. */
export function withoutCsrf(html: string): string {
  return html.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value=""');
}

export function heading(html: string): string {
  return /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';
}
