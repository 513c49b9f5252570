/**
 * The chat as a patient and a screen reader see it, in the widget's frame or on the /chat page: the transcript's
 * lines by speaker, and typing a message to wait for the assistant's next one.
 */
import type { FrameLocator } from 'playwright-core';
import { waitFor } from './wait-for';

export const ANSWER_TIMEOUT_MS = 20_000;

/** Where the chat's elements are: the widget's frame, or the /chat page opened on its own. */
export type ChatScope = Pick<FrameLocator, 'getByRole' | 'getByLabel'>;

export interface TranscriptLine {
  readonly speaker: string;
  readonly text: string;
}

/** The transcript as a screen reader reads it: each message starts with its speaker ("You: ", "Assistant: "). */
export async function readTranscript(chat: ChatScope): Promise<TranscriptLine[]> {
  const texts = await chat.getByRole('log').locator('.cc-message').allTextContents();
  return texts.map((text) => {
    const separator = text.indexOf(': ');
    return { speaker: text.slice(0, separator), text: text.slice(separator + 2).trim() };
  });
}

export async function assistantLines(chat: ChatScope): Promise<string[]> {
  return (await readTranscript(chat)).filter((line) => line.speaker === 'Assistant').map((line) => line.text);
}

/** Types `text` as a patient does (then Enter) and returns the assistant's next message. */
export async function ask(chat: ChatScope, text: string): Promise<string> {
  const before = (await assistantLines(chat)).length;
  const input = chat.getByLabel('Type your message');
  await input.fill(text);
  await input.press('Enter');
  expect(await input.inputValue()).toBe('');
  const answers = await waitFor(
    async () => {
      const lines = await assistantLines(chat);
      return lines.length > before ? lines : undefined;
    },
    ANSWER_TIMEOUT_MS,
    `an answer to "${text}"`,
  );
  return answers[before]!;
}
