/**
 * The conversation transcript inside the `role="log"` region: messages ordered by `seq` (deduplicated), the
 * patient's own messages shown at once and marked pending until acknowledged, and quick-reply buttons under the
 * latest bot message. Text is always inserted as text, never as HTML.
 */
import type { ChatLanguage, ChatMessage, ChatRole, QuickReply } from './chat-protocol';
import { renderMessageText } from './message-text';

const SPEAKER_LABELS: Record<ChatRole, string> = { patient: 'You', bot: 'Assistant', staff: 'Staff' };
const SCROLL_STICKINESS_PX = 80;

export interface TranscriptViewOptions {
  onQuickReply(reply: QuickReply): void;
}

/** Owns the message elements of the transcript; the log element itself comes from the page. */
export class TranscriptView {
  private readonly bySeq = new Map<number, HTMLElement>();
  private readonly byClientMsgId = new Map<string, HTMLElement>();
  private readonly quickReplies = new WeakMap<HTMLElement, readonly QuickReply[]>();
  private quickReplyGroup: HTMLElement | null = null;
  private language: ChatLanguage = 'en';
  private pinnedToBottom = true;

  constructor(
    private readonly log: HTMLElement,
    private readonly options: TranscriptViewOptions,
  ) {
    // Keep the latest message in view when the log shrinks (notices, typing line, on-screen keyboard).
    log.addEventListener('scroll', () => (this.pinnedToBottom = this.isNearBottom()), { passive: true });
    new ResizeObserver(() => this.pinnedToBottom && this.scrollToBottom()).observe(log);
  }

  /** Language of the conversation, set on bot and staff messages for screen readers. */
  setLanguage(language: ChatLanguage): void {
    this.language = language;
  }

  /** Shows the patient's message immediately, marked "Sending…" until {@link confirm} is called. */
  addPending(clientMsgId: string, text: string): void {
    const element = this.createMessage('patient', text);
    element.classList.add('cc-message--pending');
    element.append(this.createStatus('Sending…'));
    this.byClientMsgId.set(clientMsgId, element);
    this.insert(element, null);
  }

  /** The server stored a pending message under `seq`. */
  confirm(clientMsgId: string, seq: number): void {
    const element = this.byClientMsgId.get(clientMsgId);
    if (!element || this.bySeq.has(seq)) return;
    element.classList.remove('cc-message--pending', 'cc-message--failed');
    element.querySelector('.cc-message-status')?.remove();
    this.bySeq.set(seq, element);
    element.dataset.seq = String(seq);
    this.insert(element, seq);
  }

  /** The server refused a pending message for good. */
  markFailed(clientMsgId: string): void {
    const element = this.byClientMsgId.get(clientMsgId);
    if (!element) return;
    element.classList.replace('cc-message--pending', 'cc-message--failed');
    element.querySelector('.cc-message-status')?.remove();
    element.append(this.createStatus('Not sent. Please try again in a moment.'));
    if (this.pinnedToBottom) this.scrollToBottom();
  }

  /** Adds a stored message; returns false when it was already shown (same `seq`, or our own pending message). */
  addMessage(message: ChatMessage): boolean {
    if (this.bySeq.has(message.seq)) return false;
    if (message.clientMsgId !== undefined && this.byClientMsgId.has(message.clientMsgId)) {
      this.confirm(message.clientMsgId, message.seq);
      return false;
    }
    const element = this.createMessage(message.role, message.text);
    element.dataset.seq = String(message.seq);
    if (message.role !== 'patient') element.lang = message.lang ?? this.language;
    this.quickReplies.set(element, message.quickReplies);
    this.bySeq.set(message.seq, element);
    if (message.clientMsgId !== undefined) this.byClientMsgId.set(message.clientMsgId, element);
    this.insert(element, message.seq);
    return true;
  }

  /** Removes every stored message (a new conversation started); messages still pending stay. */
  clearStored(): void {
    for (const element of this.bySeq.values()) element.remove();
    this.bySeq.clear();
    for (const [clientMsgId, element] of this.byClientMsgId) {
      if (!element.isConnected) this.byClientMsgId.delete(clientMsgId);
    }
    this.refreshQuickReplies();
  }

  private createMessage(role: ChatRole, text: string): HTMLElement {
    const element = document.createElement('div');
    element.className = `cc-message cc-message--${role}`;
    const speaker = document.createElement('span');
    speaker.className = 'cc-visually-hidden';
    speaker.textContent = `${SPEAKER_LABELS[role]}: `;
    const bubble = document.createElement('p');
    bubble.className = 'cc-bubble';
    bubble.append(...renderMessageText(text));
    element.append(speaker, bubble);
    return element;
  }

  private createStatus(text: string): HTMLElement {
    const status = document.createElement('span');
    status.className = 'cc-message-status';
    status.textContent = text;
    return status;
  }

  /** Places a message by `seq`; messages without one (pending) stay after every stored message. */
  private insert(element: HTMLElement, seq: number | null): void {
    const stickToBottom = this.pinnedToBottom || element.classList.contains('cc-message--patient');
    const next = seq === null ? null : this.findFollowing(element, seq);
    this.log.insertBefore(element, next);
    this.refreshQuickReplies();
    if (stickToBottom) this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.log.scrollTop = this.log.scrollHeight;
    this.pinnedToBottom = true;
  }

  private findFollowing(element: HTMLElement, seq: number): HTMLElement | null {
    for (const candidate of this.log.querySelectorAll<HTMLElement>('.cc-message')) {
      if (candidate === element) continue;
      const candidateSeq =
        candidate.dataset.seq === undefined ? Number.POSITIVE_INFINITY : Number(candidate.dataset.seq);
      if (candidateSeq > seq) return candidate;
    }
    return null;
  }

  private isNearBottom(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < SCROLL_STICKINESS_PX;
  }

  /** Quick replies belong to the latest message only, and only while it is from the bot or staff. */
  private refreshQuickReplies(): void {
    const messages = this.log.querySelectorAll<HTMLElement>('.cc-message');
    const latest = messages.item(messages.length - 1) as HTMLElement | null;
    const replies =
      latest && !latest.classList.contains('cc-message--patient') ? this.quickReplies.get(latest) : undefined;
    const current = this.quickReplyGroup;
    if (current && latest && current.previousElementSibling === latest && replies?.length) return;
    current?.remove();
    this.quickReplyGroup = null;
    if (!latest || !replies?.length) return;
    this.quickReplyGroup = this.createQuickReplies(replies);
    latest.after(this.quickReplyGroup);
  }

  private createQuickReplies(replies: readonly QuickReply[]): HTMLElement {
    const group = document.createElement('div');
    group.className = 'cc-quick-replies';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Suggested replies');
    for (const reply of replies) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'cc-quick-reply';
      button.textContent = reply.title;
      button.addEventListener('click', () => this.options.onQuickReply(reply));
      group.append(button);
    }
    return group;
  }
}
