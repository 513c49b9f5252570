/**
 * What opening a link shows, and the verified session behind it: the identity-check form while the link is active,
 * the withheld information while this browser's session is alive (idle 5 minutes or open 30 minutes ends it,
 * checked here on every request), and a clear message once the link has ended.
 */
import type { SecureSessionEnd } from '../../identity/secure-links';
import {
  type PageRequest,
  type SecurePageServices,
  endedMessage,
  identityCheckRefusal,
  message,
  page,
} from './page-outcomes';
import type { PageOutcome } from './secure-page-types';

/** Only web addresses (or paths on this site) may become the "continue in chat" link. */
const CHAT_URL_PATTERN = /^(https?:\/\/|\/(?!\/))/i;

export class SecurePageSession {
  constructor(private readonly services: SecurePageServices) {}

  /** GET: `restart` shows the date-of-birth form even while a code is awaited. */
  async show(request: PageRequest, restart: boolean): Promise<PageOutcome> {
    const { link } = request;
    if (link.status === 'verified') return this.showVerified(request);
    const refusal = await identityCheckRefusal(this.services, request);
    if (refusal) return refusal;
    const challenge = await this.services.otp.latestForLink(this.services.deps.db, link.id);
    const awaitingCode = challenge !== undefined && this.services.otp.isOpen(challenge) && !restart;
    return page(awaitingCode ? { page: 'code', via: challenge.delivery } : { page: 'birth-date' });
  }

  /** POST sign-out (the button, or the idle script with reason `idle`). */
  async signOut(request: PageRequest, reason: 'manual' | 'idle'): Promise<PageOutcome> {
    const { link } = request;
    const { links } = this.services.deps;
    if (link.status === 'closed')
      return message(link.closedReason === 'signed_out' ? 'signed-out-by-you' : 'signed-out');
    if (link.status !== 'verified') return message(endedMessage(link));
    if (!links.holdsSession(link, request.browserSecret)) return message('used');
    const end = this.sessionEnd(request) ?? (reason === 'idle' ? 'idle' : 'signed_out');
    await this.close(request, end);
    return { ...message(end === 'signed_out' ? 'signed-out-by-you' : 'signed-out'), resetBrowser: true };
  }

  private async showVerified(request: PageRequest): Promise<PageOutcome> {
    const { link } = request;
    const { deps } = this.services;
    if (!deps.links.holdsSession(link, request.browserSecret) || link.patientId === null) return message('used');
    const end = this.sessionEnd(request);
    if (end) {
      await this.close(request, end);
      return { ...message('signed-out'), resetBrowser: true };
    }
    await deps.links.touchSession(deps.db, link);
    const patientId = link.patientId;
    const content = await deps.withheldContent({
      patientId,
      topic: link.topic,
      lang: link.language,
      requestId: request.requestId,
    });
    const chatUrl = deps.verifiedChatUrl
      ? await deps.verifiedChatUrl({
          practiceId: link.practiceId,
          linkId: link.id,
          patientId,
          conversationId: link.conversationId,
          lang: link.language,
        })
      : undefined;
    const usableChatUrl = chatUrl !== undefined && CHAT_URL_PATTERN.test(chatUrl) ? chatUrl : undefined;
    return page({ page: 'content', content, ...(usableChatUrl === undefined ? {} : { chatUrl: usableChatUrl }) });
  }

  /** Why the session is over by time, if it is. */
  private sessionEnd(request: PageRequest): SecureSessionEnd | undefined {
    const { link } = request;
    const { settings } = this.services;
    const now = settings.now().getTime();
    if (link.verifiedAt && now - link.verifiedAt.getTime() >= settings.sessionMaxMs) return 'session_limit';
    if (!link.lastActivityAt || now - link.lastActivityAt.getTime() >= settings.idleTimeoutMs) return 'idle';
    return undefined;
  }

  private async close(request: PageRequest, end: SecureSessionEnd): Promise<void> {
    const { deps } = this.services;
    await deps.links.closeSession(deps.db, request.link, end, request.requestId);
  }
}
