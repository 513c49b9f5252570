/**
 * Shared pieces of the secure page's steps: the settings with defaults applied, the request a step works on, the
 * outcomes (page + HTTP status) and the refusals that apply to every step of a link.
 */
import type { SecureLink } from '../../identity/secure-links';
import type { OtpChallenges } from '../../identity/otp-challenges';
import type { RateLimits } from '../../identity/rate-limits';
import {
  BIRTH_DATE_STEP_MINIMUM_MS,
  DEFAULT_SECURE_PAGE_LIMITS,
  type MessageKey,
  type PageOutcome,
  SECURE_SESSION_IDLE_MS,
  SECURE_SESSION_MAX_MS,
  type SecurePageDeps,
  type SecurePageLimits,
  type SecurePageView,
} from './secure-page-types';

/** One request on one link. Never holds the token. */
export interface PageRequest {
  readonly link: SecureLink;
  readonly browserSecret: string | undefined;
  readonly ip: string;
  readonly requestId: string;
}

export interface SecurePageSettings {
  readonly now: () => Date;
  readonly limits: SecurePageLimits;
  readonly idleTimeoutMs: number;
  readonly sessionMaxMs: number;
  readonly birthDateStepMinimumMs: number;
}

/** What every step works with. */
export interface SecurePageServices {
  readonly deps: SecurePageDeps;
  readonly settings: SecurePageSettings;
  readonly otp: OtpChallenges;
  readonly rateLimits: RateLimits;
}

export function resolveSettings(deps: SecurePageDeps): SecurePageSettings {
  return {
    now: deps.now ?? deps.links.now,
    limits: { ...DEFAULT_SECURE_PAGE_LIMITS, ...deps.limits },
    idleTimeoutMs: deps.idleTimeoutMs ?? SECURE_SESSION_IDLE_MS,
    sessionMaxMs: deps.sessionMaxMs ?? SECURE_SESSION_MAX_MS,
    birthDateStepMinimumMs: deps.birthDateStepMinimumMs ?? BIRTH_DATE_STEP_MINIMUM_MS,
  };
}

const MESSAGE_STATUS: Readonly<Record<MessageKey, number>> = {
  invalid: 404,
  expired: 410,
  superseded: 410,
  used: 410,
  'signed-out': 200,
  'signed-out-by-you': 200,
  locked: 429,
  'rate-limited': 429,
  'form-expired': 403,
  error: 500,
};

type ViewOutcome = Extract<PageOutcome, { kind: 'view' }>;

export function page(view: SecurePageView, status = 200): ViewOutcome {
  return { kind: 'view', view, status };
}

export function message(key: MessageKey): ViewOutcome {
  return page({ page: 'message', message: key }, MESSAGE_STATUS[key]);
}

/** The message for a link that has ended. */
export function endedMessage(link: SecureLink): MessageKey {
  switch (link.status) {
    case 'superseded':
      return 'superseded';
    case 'locked':
      return 'locked';
    case 'expired':
      return 'expired';
    default:
      return 'used';
  }
}

/**
 * Why the identity check cannot run on this link now, if it cannot: the link ended or expired, or too many wrong
 * codes locked its contact (or patient). A second submit from the browser that already verified goes back to the
 * page instead.
 */
export async function identityCheckRefusal(
  services: SecurePageServices,
  request: PageRequest,
): Promise<PageOutcome | undefined> {
  const { link } = request;
  const { links, db } = services.deps;
  if (link.status === 'verified')
    return links.holdsSession(link, request.browserSecret) ? { kind: 'redirect' } : message('used');
  if (link.status !== 'active') return message(endedMessage(link));
  if (links.isExpired(link)) return message('expired');
  const locked = await services.otp.lockedUntil(db, { contactId: link.contactId, patientId: link.patientId });
  return locked ? message('locked') : undefined;
}

/** The audit actor and patient reference for what happens on a link's page. */
export function auditParties(
  link: SecureLink,
  patientId: string | null = link.patientId,
): { actor: string; patientRef: string } {
  return {
    actor: `patient:${link.contactId}`,
    patientRef: patientId ? `patient:${patientId}` : `contact:${link.contactId}`,
  };
}
