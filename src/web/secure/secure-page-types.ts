/**
 * What the secure page needs from the rest of the product, and what its steps produce. Everything that touches PHI
 * (finding the patient, sending the code, the withheld information) is injected, so this module knows nothing of
 * the EMR, the outbox or the bot.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/audit-log';
import type { Database } from '../../db/schema';
import type { CodeDelivery } from '../../identity/otp-challenges';
import type { SecureLinks, SecurePageLanguage } from '../../identity/secure-links';
import type { RateLimitRule } from '../../identity/rate-limits';
import type { Logger } from '../../observability/logger';
import type { KeyRing } from '../../phi/key-ring';

/** A patient behind a link whose date of birth matched, with the phone on record that gets the code. */
export interface PatientOnRecord {
  readonly patientId: string;
  /** E.164 (a `whatsapp:` prefix is ignored for rate limits). */
  readonly phone?: string;
  readonly email?: string;
}

export interface LinkSubject {
  readonly practiceId: string;
  readonly contactId: string;
  readonly patientId: string | null;
}

export interface SecurePageLimits {
  /** Date-of-birth attempts (challenges) on one link, for its whole life; then the link locks. */
  readonly birthDateAttemptsPerLink: number;
  readonly birthDateAttemptsPerContact: RateLimitRule;
  readonly birthDateAttemptsPerIp: RateLimitRule;
  readonly codeAttemptsPerIp: RateLimitRule;
  /** Codes actually sent; over the limit the step silently makes a decoy, so the page still looks the same. */
  readonly codesPerPhone: RateLimitRule;
  readonly codesPerPatient: RateLimitRule;
}

const HOUR_MS = 60 * 60_000;

export const DEFAULT_SECURE_PAGE_LIMITS: SecurePageLimits = {
  birthDateAttemptsPerLink: 5,
  birthDateAttemptsPerContact: { limit: 10, windowMs: HOUR_MS },
  birthDateAttemptsPerIp: { limit: 20, windowMs: HOUR_MS },
  codeAttemptsPerIp: { limit: 30, windowMs: HOUR_MS },
  codesPerPhone: { limit: 5, windowMs: HOUR_MS },
  codesPerPatient: { limit: 5, windowMs: HOUR_MS },
};

/** Idle log-off (server and page script) and the longest a verified session may last. */
export const SECURE_SESSION_IDLE_MS = 5 * 60_000;
export const SECURE_SESSION_MAX_MS = 30 * 60_000;
/**
 * The date-of-birth step never answers sooner than this, whether or not a record matched (the lookup, and the
 * work a match adds, must fit in it); the code is sent in the background so sending adds no time either.
 */
export const BIRTH_DATE_STEP_MINIMUM_MS = 800;

export interface SecurePageDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly links: SecureLinks;
  readonly logger: Logger;
  readonly practiceName: string;
  readonly practicePhone: string;
  /** Defaults to `links.now`. */
  readonly now?: () => Date;
  readonly limits?: Partial<SecurePageLimits>;
  readonly idleTimeoutMs?: number;
  readonly sessionMaxMs?: number;
  readonly birthDateStepMinimumMs?: number;
  /**
   * The patients behind the link whose date of birth (`YYYY-MM-DD`) matches: for a link with a patient, that
   * patient if the date matches; otherwise the patients whose phone on record is the link's contact address, or,
   * when that address is not a phone (web chat, Messenger), `phone`: the E.164 number the patient typed.
   * [] when none. More than one (twins on a family phone) is treated as no match.
   */
  findPatientsForLink(link: LinkSubject, birthDate: string, phone?: string): Promise<readonly PatientOnRecord[]>;
  /**
   * Sends the code: by SMS to the phone on record (the real Twilio path, through the outbox), or by email to the
   * address on record when the patient chose it.
   */
  sendCode(input: CodeToSend): Promise<void>;
  /** Codes may go by email too (SMTP is configured): the first form offers the choice. */
  readonly offersEmail?: boolean;
  /** After a correct code: the contact proved to be this patient. */
  markVerified(input: {
    practiceId: string;
    contactId: string;
    patientId: string;
    conversationId: string;
    requestId: string;
  }): Promise<void>;
  /** The withheld information for the verified patient (audited as a disclosure by the implementer). */
  withheldContent(input: {
    patientId: string;
    topic: string;
    lang: SecurePageLanguage;
    requestId: string;
  }): Promise<WithheldContent>;
  /** Optional: a web chat where this verified patient can continue; without it the page offers the practice phone. */
  verifiedChatUrl?(input: VerifiedChatRequest): Promise<string>;
}

export interface CodeToSend {
  readonly practiceId: string;
  readonly patientId: string;
  readonly conversationId: string;
  readonly via: CodeDelivery;
  /** The phone (E.164) or email address on record. */
  readonly address: string;
  readonly subject: string;
  readonly text: string;
  readonly lang: SecurePageLanguage;
}

export interface VerifiedChatRequest {
  readonly practiceId: string;
  readonly linkId: string;
  readonly patientId: string;
  readonly conversationId: string;
  readonly lang: SecurePageLanguage;
}

export interface WithheldContent {
  readonly heading: string;
  readonly items: readonly string[];
}

export type MessageKey =
  | 'invalid'
  | 'expired'
  | 'superseded'
  | 'used'
  | 'signed-out'
  | 'signed-out-by-you'
  | 'locked'
  | 'rate-limited'
  | 'form-expired'
  | 'error';

/** A page to render; never holds the token, so pages of different links are byte-identical but for CSRF tokens. */
export type SecurePageView =
  | { readonly page: 'birth-date'; readonly error?: 'format' | 'phone'; readonly notice?: 'code-expired' }
  | { readonly page: 'code'; readonly via: CodeDelivery; readonly error?: 'wrong' | 'format' }
  | { readonly page: 'content'; readonly content: WithheldContent; readonly chatUrl?: string }
  | { readonly page: 'message'; readonly message: MessageKey };

export type PageOutcome =
  /** `resetBrowser`: give the browser a new cookie (after a session ends, so nothing of it lingers). */
  | { readonly kind: 'view'; readonly view: SecurePageView; readonly status: number; readonly resetBrowser?: boolean }
  /** Back to GET the same link (after verification, with a new session cookie). */
  | { readonly kind: 'redirect'; readonly sessionSecret?: string };

export type FormStep = 'birth-date' | 'code' | 'sign-out';
