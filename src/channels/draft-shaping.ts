/**
 * Fits drafts to their channel before they become outbound rows: a text longer than the channel allows is split at
 * sentence boundaries into several messages (each its own row, so a retry never resends the others), with the quick
 * replies on the last one.
 */
import type { OutboundDraft } from '../conversation/outbound-draft';
import type { Language } from '../nlu/nlu-engine';
import { splitAtSentences } from './twilio/sms-shaping';

export type DraftShaper = <T extends OutboundDraft>(channel: string, drafts: readonly T[], lang: Language) => T[];

/** A shaper from each channel's maximum length (channels not listed pass through). */
export function createDraftShaper(maxLengthByChannel: ReadonlyMap<string, number>): DraftShaper {
  return <T extends OutboundDraft>(channel: string, drafts: readonly T[], lang: Language): T[] => {
    const maxLength = maxLengthByChannel.get(channel);
    if (maxLength === undefined) return [...drafts];
    return drafts.flatMap((draft) => {
      const parts = splitAtSentences(draft.text, maxLength, lang);
      return parts.map((text, index) => ({ ...draft, text, quickReplies: index === parts.length - 1 ? draft.quickReplies : [] }));
    });
  };
}
