/** A reply the bot or staff wants to send, before it becomes an outbound row. */
export type Classification = 'none' | 'phi';

export interface QuickReply {
  readonly title: string;
  readonly payload: string;
}

export interface OutboundDraft {
  readonly text: string;
  readonly quickReplies: readonly QuickReply[];
  /** `phi` drafts may only leave on a channel/patient pair the PHI policy allows. */
  readonly classification: Classification;
  /** `system`: compliance replies (STOP confirmation, HELP) that must reach even an opted-out contact. */
  readonly author?: 'bot' | 'system';
}
