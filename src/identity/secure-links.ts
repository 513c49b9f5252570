/**
 * Links to the secure page (`/s/<token>`), where PHI that may not go out on a channel is shown after an identity
 * check. A token is 32 random bytes (base64url) that exists only in the message sent to the patient: the database
 * keeps its HMAC. A conversation has one live link at a time (a partial unique index); issuing a new one supersedes
 * the old, inside the caller's transaction. After verification the link carries one browser session (cookie HMAC,
 * last activity), which ends by sign-out, idleness or a time limit; an ended link never opens again. Every change
 * runs in a transaction (the caller's, or its own) because the audit append that goes with it needs one.
 */
import crypto from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { SecureLinkStatus, SecureLinkTables, SecureLinksTable, SecureSessionEnd } from '../db/secure-link-tables';
import { NotFoundError } from '../errors';
import type { KeyRing } from '../phi/key-ring';
import { equalInConstantTime } from '../phi/constant-time';

export type { SecureLinkStatus, SecureSessionEnd } from '../db/secure-link-tables';
export type SecurePageLanguage = 'en' | 'es';

export const SECURE_LINK_TTL_MS = 30 * 60_000;
const TOKEN_BYTES = 32;
/** The shape of a token (base64url of 32 bytes): anything else is refused without a lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const LIVE_STATUSES: readonly SecureLinkStatus[] = ['active', 'verified'];

export interface SecureLinksOptions {
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  /** Origin (and optional base path) the product is served at; links are `<publicUrl>/s/<token>`. */
  readonly publicUrl: string;
  readonly now?: () => Date;
  readonly ttlMs?: number;
}

export interface IssueLinkInput {
  readonly practiceId: string;
  readonly conversationId: string;
  readonly contactId: string;
  /** When the conversation already knows the patient; otherwise the date of birth picks one. */
  readonly patientId?: string | null;
  /** What the page shows after verification, e.g. `appointments`. */
  readonly topic: string;
  /** Defaults to the conversation's language, else English. */
  readonly language?: SecurePageLanguage;
  readonly requestId?: string;
}

export interface IssuedLink {
  readonly id: string;
  /** Goes in the message to the patient; never logged or stored. */
  readonly url: string;
  readonly expiresAt: Date;
}

export interface SecureLink {
  readonly id: string;
  readonly practiceId: string;
  readonly conversationId: string;
  readonly contactId: string;
  readonly patientId: string | null;
  readonly topic: string;
  readonly language: SecurePageLanguage;
  readonly status: SecureLinkStatus;
  readonly expiresAt: Date;
  readonly verifiedAt: Date | null;
  readonly lastActivityAt: Date | null;
  readonly closedReason: SecureSessionEnd | null;
  readonly sessionHash: string | null;
  /**
   * Neither the patient nor a phone is known (a web chat or Messenger contact): the page asks for the phone on record
   * with the date of birth.
   */
  readonly asksForPhone: boolean;
}

export class SecureLinks {
  private readonly tokenKey: Buffer;
  private readonly sessionKey: Buffer;
  private readonly audit: AuditLog;
  private readonly publicUrl: string;
  private readonly ttlMs: number;
  readonly now: () => Date;

  constructor(options: SecureLinksOptions) {
    this.tokenKey = options.keyRing.deriveSecret('secure-link');
    this.sessionKey = options.keyRing.deriveSecret('secure-link-session');
    this.audit = options.audit;
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.ttlMs = options.ttlMs ?? SECURE_LINK_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Whether links are served over HTTPS (session cookies are then `Secure`). */
  get servedOverHttps(): boolean {
    return this.publicUrl.startsWith('https:');
  }

  /**
   * Creates the conversation's link, superseding any live one, and audits it. Runs in `db` when it is a
   * transaction (the bot's turn), else in a transaction of its own.
   */
  async issue(db: Kysely<Database>, input: IssueLinkInput): Promise<IssuedLink> {
    if (!db.isTransaction) return db.transaction().execute((transaction) => this.issue(transaction, input));
    const tables = db.withTables<SecureLinkTables>();
    // Locking the conversation row queues concurrent issues, so the one-live-link index never trips.
    const conversation = await tables
      .selectFrom('conversations')
      .select('language')
      .where('id', '=', input.conversationId)
      .forUpdate()
      .executeTakeFirst();
    if (!conversation) throw new NotFoundError('conversation not found');
    const now = this.now();
    const superseded = await tables
      .updateTable('secure_links')
      .set({ status: 'superseded', ended_at: now })
      .where('conversation_id', '=', input.conversationId)
      .where('status', 'in', LIVE_STATUSES)
      .executeTakeFirst();
    const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const row = await tables
      .insertInto('secure_links')
      .values({
        practice_id: input.practiceId,
        conversation_id: input.conversationId,
        contact_id: input.contactId,
        patient_id: input.patientId ?? null,
        topic: input.topic,
        language: input.language ?? conversation.language ?? 'en',
        token_hash: this.tokenHash(token),
        expires_at: expiresAt,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.audit.append(db, {
      actor: 'system',
      action: 'secure_link.issued',
      patientRef: input.patientId ? `patient:${input.patientId}` : `contact:${input.contactId}`,
      purpose: input.topic,
      ...(input.requestId ? { requestId: input.requestId } : {}),
      details: { linkId: row.id, conversationId: input.conversationId, superseded: Number(superseded.numUpdatedRows) },
    });
    return { id: row.id, url: `${this.publicUrl}/s/${token}`, expiresAt };
  }

  /** The link a token opens, whatever its state; undefined for a malformed or unknown token. */
  async resolve(db: Kysely<Database>, token: string): Promise<SecureLink | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const row = await db
      .withTables<SecureLinkTables>()
      .selectFrom('secure_links')
      .innerJoin('contacts', 'contacts.id', 'secure_links.contact_id')
      .selectAll('secure_links')
      .select('contacts.channel as contact_channel')
      .where('token_hash', '=', this.tokenHash(token))
      .executeTakeFirst();
    return row && toSecureLink(row, row.contact_channel);
  }

  /** Ends the conversation's live link now (e.g. the conversation closed); returns how many links ended. */
  async expire(db: Kysely<Database>, conversationId: string, requestId?: string): Promise<number> {
    if (!db.isTransaction)
      return db.transaction().execute((transaction) => this.expire(transaction, conversationId, requestId));
    const ended = await db
      .withTables<SecureLinkTables>()
      .updateTable('secure_links')
      .set({ status: 'expired', ended_at: this.now() })
      .where('conversation_id', '=', conversationId)
      .where('status', 'in', LIVE_STATUSES)
      .returning(['id', 'contact_id'])
      .execute();
    for (const link of ended) {
      await this.audit.append(db, {
        actor: 'system',
        action: 'secure_link.expired',
        patientRef: `contact:${link.contact_id}`,
        ...(requestId ? { requestId } : {}),
        details: { linkId: link.id },
      });
    }
    return ended.length;
  }

  /** True for an ended link, or an active one past its expiry. */
  isExpired(link: SecureLink): boolean {
    return link.status === 'expired' || (link.status === 'active' && link.expiresAt.getTime() <= this.now().getTime());
  }

  /**
   * The identity check passed: the link becomes verified for this patient and bound to the browser holding
   * `sessionSecret`. False when the link was no longer active (a concurrent request won).
   */
  async startSession(
    db: Kysely<Database>,
    link: SecureLink,
    patientId: string,
    sessionSecret: string,
    requestId: string,
  ): Promise<boolean> {
    if (!db.isTransaction)
      return db
        .transaction()
        .execute((transaction) => this.startSession(transaction, link, patientId, sessionSecret, requestId));
    const now = this.now();
    const started = await db
      .withTables<SecureLinkTables>()
      .updateTable('secure_links')
      .set({
        status: 'verified',
        patient_id: patientId,
        verified_at: now,
        last_activity_at: now,
        session_hash: this.sessionHash(sessionSecret),
      })
      .where('id', '=', link.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(started.numUpdatedRows) === 0) return false;
    await this.audit.append(db, {
      actor: `patient:${link.contactId}`,
      action: 'secure_link.used',
      patientRef: `patient:${patientId}`,
      purpose: link.topic,
      requestId,
      details: { linkId: link.id, conversationId: link.conversationId },
    });
    return true;
  }

  /** Whether this browser holds the link's session (constant-time comparison). */
  holdsSession(link: SecureLink, sessionSecret: string | undefined): boolean {
    if (link.sessionHash === null || sessionSecret === undefined) return false;
    return equalInConstantTime(link.sessionHash, this.sessionHash(sessionSecret));
  }

  /** Records activity in a verified session (the idle clock restarts). */
  async touchSession(db: Kysely<Database>, link: SecureLink): Promise<void> {
    await db
      .withTables<SecureLinkTables>()
      .updateTable('secure_links')
      .set({ last_activity_at: this.now() })
      .where('id', '=', link.id)
      .where('status', '=', 'verified')
      .execute();
  }

  /** Ends a verified session for good; the link then refuses to open again. */
  async closeSession(
    db: Kysely<Database>,
    link: SecureLink,
    reason: SecureSessionEnd,
    requestId: string,
  ): Promise<void> {
    if (!db.isTransaction)
      return db.transaction().execute((transaction) => this.closeSession(transaction, link, reason, requestId));
    const closed = await db
      .withTables<SecureLinkTables>()
      .updateTable('secure_links')
      .set({ status: 'closed', closed_reason: reason, ended_at: this.now() })
      .where('id', '=', link.id)
      .where('status', '=', 'verified')
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 0) return;
    await this.audit.append(db, {
      actor: `patient:${link.contactId}`,
      action: 'secure_link.closed',
      patientRef: link.patientId ? `patient:${link.patientId}` : `contact:${link.contactId}`,
      requestId,
      details: { linkId: link.id, reason },
    });
  }

  /** Too many attempts: the link refuses from now on (a new link works once the lock period is over). */
  async lock(db: Kysely<Database>, link: SecureLink, requestId: string): Promise<void> {
    if (!db.isTransaction) return db.transaction().execute((transaction) => this.lock(transaction, link, requestId));
    const locked = await db
      .withTables<SecureLinkTables>()
      .updateTable('secure_links')
      .set({ status: 'locked', ended_at: this.now() })
      .where('id', '=', link.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(locked.numUpdatedRows) === 0) return;
    await this.audit.append(db, {
      actor: `patient:${link.contactId}`,
      action: 'secure_link.locked',
      patientRef: `contact:${link.contactId}`,
      requestId,
      details: { linkId: link.id },
    });
  }

  private tokenHash(token: string): string {
    return crypto.createHmac('sha256', this.tokenKey).update(token).digest('hex');
  }

  private sessionHash(sessionSecret: string): string {
    return crypto.createHmac('sha256', this.sessionKey).update(sessionSecret).digest('hex');
  }
}

/** Channels whose address is a phone number, which can then stand for "the phone on record". */
export const PHONE_CHANNELS: readonly string[] = ['sms', 'whatsapp'];

function toSecureLink(row: Selectable<SecureLinksTable>, contactChannel: string): SecureLink {
  return {
    asksForPhone: row.patient_id === null && !PHONE_CHANNELS.includes(contactChannel),
    id: row.id,
    practiceId: row.practice_id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    patientId: row.patient_id,
    topic: row.topic,
    language: row.language,
    status: row.status,
    expiresAt: row.expires_at,
    verifiedAt: row.verified_at,
    lastActivityAt: row.last_activity_at,
    closedReason: row.closed_reason,
    sessionHash: row.session_hash,
  };
}
