/**
 * On channels without buttons (SMS, WhatsApp) quick replies are sent as numbered options; a patient's reply picks
 * one by number or by its words.
 */
import { normalizeForMatching } from '../flows/text-matching';
import type { QuickReply } from './outbound-draft';

/** "2", "2)", "#2", "option 2", "2) Location": a number, optionally followed by the option's own title. */
const NUMBERED_REPLY = /^(?:option |opcion |number |numero )?(\d{1,2})(?: (.+))?$/;

/**
 * The payload of the option a patient's reply picks: its number ("2", "2)", "2️⃣") or its title's words ("location",
 * "LOCATION!", "ubicacion" for "Ubicación") — case, accents and punctuation ignored. Undefined when it picks none.
 */
export function optionFromReply(text: string, quickReplies: readonly QuickReply[]): string | undefined {
  const reply = normalizeForMatching(text).trim();
  if (!reply) return undefined;
  const numbered = NUMBERED_REPLY.exec(reply);
  if (numbered) {
    const option = quickReplies[Number(numbered[1]) - 1];
    const title = numbered[2];
    return option && (title === undefined || title === normalizeForMatching(option.title).trim())
      ? option.payload
      : undefined;
  }
  const matches = quickReplies.filter((option) => normalizeForMatching(option.title).trim() === reply);
  return matches.length === 1 ? matches[0]!.payload : undefined;
}
