/** Edits the content tests make to a release, as a manager would in /admin. */
import type { ContentBundle } from '../../../src/content/content-bundle';

/** Adds an English training phrase to an intent. */
export const addEnglishPhrase =
  (intentName: string, phrase: string) =>
  (content: ContentBundle): ContentBundle => ({
    ...content,
    training: content.training.map((intent) =>
      intent.name === intentName
        ? { ...intent, phrases: { ...intent.phrases, en: [...intent.phrases.en, phrase] } }
        : intent,
    ),
  });
