/**
 * The two steps of the identity check: a date of birth (with the phone on record when the link's contact has no phone
 * number, e.g. web chat), then the code texted to the phone on record.
 *
 * The birth-date step answers the same page, in the same time, whether or not a record matched: both paths call the
 * same lookup, create a challenge (a decoy when nothing matched: no code sent, can never succeed) with the same
 * hashing and audit write, the code is sent in the background, and the response waits until a fixed minimum time
 * from the start of the step has passed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEvent } from '../../audit/audit-log';
import { parseBirthDate, parsePhoneOnRecord } from './identity-inputs';
import { newBrowserSecret } from './browser-session';
import {
  type PageRequest,
  type SecurePageServices,
  auditParties,
  identityCheckRefusal,
  message,
  page,
} from './page-outcomes';
import { SECURE_PAGE_TEXT } from './secure-page-text';
import type { CodeDelivery } from '../../identity/otp-challenges';
import type { PageOutcome } from './secure-page-types';

const CODE_PATTERN = /^\d{6}$/;

export class IdentityCheck {
  constructor(private readonly services: SecurePageServices) {}

  /**
   * `rawPhone` counts only when the link asks for the phone on record (no patient, no phone known); `rawVia` only
   * when codes may go by email.
   */
  async submitBirthDate(
    request: PageRequest,
    rawBirthDate: string,
    rawPhone: string,
    rawVia: string,
  ): Promise<PageOutcome> {
    const refusal = await identityCheckRefusal(this.services, request);
    if (refusal) return refusal;
    const phone = request.link.asksForPhone ? parsePhoneOnRecord(rawPhone) : undefined;
    if (request.link.asksForPhone && phone === undefined) return page({ page: 'birth-date', error: 'phone' }, 422);
    const birthDate = parseBirthDate(rawBirthDate, request.link.language, this.services.settings.now());
    if (birthDate === undefined) return page({ page: 'birth-date', error: 'format' }, 422);
    const limited = await this.birthDateLimitReached(request);
    if (limited) return limited;
    const via: CodeDelivery = this.services.deps.offersEmail && rawVia === 'email' ? 'email' : 'sms';
    const started = performance.now();
    try {
      await this.startChallenge(request, birthDate, phone, via);
    } finally {
      await sleep(Math.max(0, started + this.services.settings.birthDateStepMinimumMs - performance.now()));
    }
    return page({ page: 'code', via });
  }

  async submitCode(request: PageRequest, rawCode: string): Promise<PageOutcome> {
    const refusal = await identityCheckRefusal(this.services, request);
    if (refusal) return refusal;
    const { deps, settings, otp, rateLimits } = this.services;
    if (!(await rateLimits.take(deps.db, 'code:ip', request.ip, settings.limits.codeAttemptsPerIp))) {
      return this.rateLimited(request, 'code:ip');
    }
    const challenge = await otp.latestForLink(deps.db, request.link.id);
    if (!challenge || !otp.isOpen(challenge)) return page({ page: 'birth-date', notice: 'code-expired' });
    const code = rawCode.replace(/[\s-]/g, '');
    if (!CODE_PATTERN.test(code)) return page({ page: 'code', via: challenge.delivery, error: 'format' }, 422);
    const result = await deps.db.transaction().execute(async (transaction) => {
      const checked = await otp.check(transaction, challenge, code);
      const action =
        checked.outcome === 'verified'
          ? 'identity.verified'
          : checked.outcome === 'locked'
            ? 'identity.locked'
            : 'identity.check_failed';
      const details = {
        linkId: request.link.id,
        challengeId: challenge.id,
        stage: 'code',
        ...(checked.outcome === 'wrong' ? { attemptsLeft: checked.attemptsLeft } : {}),
      };
      await deps.audit.append(transaction, {
        ...auditParties(request.link, challenge.patientId),
        action,
        requestId: request.requestId,
        details,
      });
      if (checked.outcome === 'locked') await deps.links.lock(transaction, request.link, request.requestId);
      return checked;
    });
    if (result.outcome === 'wrong') return page({ page: 'code', via: challenge.delivery, error: 'wrong' }, 422);
    if (result.outcome === 'locked') return message('locked');
    return this.verified(request, result.patientId);
  }

  /** The code was right: the contact is this patient, and this browser gets the session. */
  private async verified(request: PageRequest, patientId: string): Promise<PageOutcome> {
    const { deps } = this.services;
    const { link } = request;
    await deps.markVerified({
      practiceId: link.practiceId,
      contactId: link.contactId,
      patientId,
      conversationId: link.conversationId,
      requestId: request.requestId,
    });
    const sessionSecret = newBrowserSecret();
    const started = await deps.links.startSession(deps.db, link, patientId, sessionSecret, request.requestId);
    return started ? { kind: 'redirect', sessionSecret } : message('used');
  }

  /** Limits a visitor can see: per link (then the link locks), per IP and per contact. */
  private async birthDateLimitReached(request: PageRequest): Promise<PageOutcome | undefined> {
    const { deps, settings, otp, rateLimits } = this.services;
    const { link } = request;
    if ((await otp.countForLink(deps.db, link.id)) >= settings.limits.birthDateAttemptsPerLink) {
      await deps.links.lock(deps.db, link, request.requestId);
      return message('locked');
    }
    if (!(await rateLimits.take(deps.db, 'birth-date:ip', request.ip, settings.limits.birthDateAttemptsPerIp))) {
      return this.rateLimited(request, 'birth-date:ip');
    }
    if (
      !(await rateLimits.take(
        deps.db,
        'birth-date:contact',
        link.contactId,
        settings.limits.birthDateAttemptsPerContact,
      ))
    ) {
      return this.rateLimited(request, 'birth-date:contact');
    }
    return undefined;
  }

  private async rateLimited(request: PageRequest, scope: string): Promise<PageOutcome> {
    const { deps } = this.services;
    const event = {
      ...auditParties(request.link),
      action: 'identity.rate_limited',
      requestId: request.requestId,
      details: { linkId: request.link.id, scope },
    };
    await deps.db.transaction().execute((transaction) => deps.audit.append(transaction, event));
    return message('rate-limited');
  }

  /** Looks the date of birth up and creates the challenge; sends the code only for a single, unthrottled match. */
  private async startChallenge(
    request: PageRequest,
    birthDate: string,
    phone: string | undefined,
    via: CodeDelivery,
  ): Promise<void> {
    const { deps } = this.services;
    const { link } = request;
    const matches = await deps.findPatientsForLink(
      { practiceId: link.practiceId, contactId: link.contactId, patientId: link.patientId },
      birthDate,
      phone,
    );
    const match = matches.length === 1 ? matches[0] : undefined;
    // No address of the chosen kind on record (e.g. no email) is handled like a throttled send: a quiet decoy.
    const address = via === 'email' ? match?.email : match?.phone?.replace(/^whatsapp:/, '');
    const sendable = match !== undefined && address !== undefined;
    const throttled = sendable && !(await this.withinSendingLimits(match.patientId, via, address));
    const recipient = sendable && !throttled ? { patientId: match.patientId, address } : undefined;
    const created = await deps.db.transaction().execute(async (transaction) => {
      const challenge = await this.services.otp.create(transaction, {
        practiceId: link.practiceId,
        linkId: link.id,
        contactId: link.contactId,
        patientId: recipient?.patientId ?? null,
        delivery: via,
      });
      await deps.audit.append(
        transaction,
        birthDateStepAudit(request, challenge.challenge.id, matches.length, match?.patientId ?? null, {
          via,
          codeSent: recipient !== undefined,
        }),
      );
      return challenge;
    });
    if (recipient) this.sendInBackground(request, { ...recipient, via }, created.code);
  }

  /** Codes actually sent per address on record and per patient; over the limit the step quietly makes a decoy. */
  private async withinSendingLimits(patientId: string, via: CodeDelivery, address: string): Promise<boolean> {
    const { deps, settings, rateLimits } = this.services;
    const bucket = via === 'email' ? 'code:email' : 'code:phone';
    const addressAllowed = await rateLimits.take(deps.db, bucket, address, settings.limits.codesPerPhone);
    const patientAllowed = await rateLimits.take(deps.db, 'code:patient', patientId, settings.limits.codesPerPatient);
    return addressAllowed && patientAllowed;
  }

  /**
   * Sending must not change the step's timing, so it is not awaited; a failure is logged (ids only) and the patient
   * can ask for another code from the page.
   */
  private sendInBackground(
    request: PageRequest,
    recipient: { patientId: string; address: string; via: CodeDelivery },
    code: string,
  ): void {
    const { deps } = this.services;
    const { link } = request;
    const text = SECURE_PAGE_TEXT[link.language];
    const sending = deps.sendCode({
      practiceId: link.practiceId,
      patientId: recipient.patientId,
      conversationId: link.conversationId,
      via: recipient.via,
      address: recipient.address,
      subject: text.byEmail.subject(deps.practiceName),
      text: text.codeSms(deps.practiceName, code),
      lang: link.language,
    });
    void sending.catch((error: unknown) => {
      deps.logger.error(
        { err: error, requestId: request.requestId, linkId: link.id },
        'secure page: sending the code failed',
      );
    });
  }
}

/** A match is `identity.check_passed` (whether or not the code went out); no match, or several, `check_failed`. */
function birthDateStepAudit(
  request: PageRequest,
  challengeId: number,
  matches: number,
  matchedPatientId: string | null,
  sending: { via: CodeDelivery; codeSent: boolean },
): AuditEvent {
  const details = { linkId: request.link.id, challengeId, stage: 'birth_date' };
  return matchedPatientId === null
    ? {
        ...auditParties(request.link),
        action: 'identity.check_failed',
        requestId: request.requestId,
        details: { ...details, matches },
      }
    : {
        ...auditParties(request.link, matchedPatientId),
        action: 'identity.check_passed',
        requestId: request.requestId,
        details: { ...details, ...sending },
      };
}
