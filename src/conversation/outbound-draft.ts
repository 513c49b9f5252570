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
  /** For `phi` drafts: what the secure page shows instead (e.g. `appointments`), and whose information it is. */
  readonly phi?: { readonly topic: string; readonly patientId: string | null };
  /** `system`: compliance replies (STOP confirmation, HELP) that must reach even an opted-out contact; `staff`: a person wrote it. */
  readonly author?: 'bot' | 'staff' | 'system';
}
