/**
 * A busy minute of SMS for the production-layout tests: the same three questions from many numbers, posted as Twilio
 * delivers them (signed, many in flight), and the check that each number got exactly the replies one number gets
 * when it asks alone.
 */
import type { FakeTwilioApi } from '../../fakes/twilio/twilio-api-server';
import http from 'node:http';
import { inboundMessageRequest, postInboundMessage } from '../../integration/twilio/twilio-test-kit';
import { waitFor } from '../../support/wait-for';

export const QUESTIONS = ['what is your fax number?', 'where are you located?', 'do you take medicare?'];

/** Made-up numbers in the 555 range, `first` to `first + count - 1`. */
export function burstNumbers(count: number, first: number): string[] {
  return Array.from({ length: count }, (_, index) => `+1555555${String(first + index).padStart(4, '0')}`);
}

/** Question 1 from every number, then question 2, then question 3. */
export function burstMessages(numbers: readonly string[]): Array<{ from: string; body: string }> {
  return QUESTIONS.flatMap((body) => numbers.map((from) => ({ from, body })));
}

export function repliesTo(twilioApi: FakeTwilioApi, to: string): string[] {
  return twilioApi
    .accepted()
    .filter((request) => request.params.To === to)
    .map((request) => String(request.params.Body));
}

export function totalReplies(twilioApi: FakeTwilioApi, numbers: readonly string[]): number {
  return numbers.reduce((total, number) => total + repliesTo(twilioApi, number).length, 0);
}

/** `freshConnection`: post on a TCP connection of its own, as Twilio's webhooks arrive, not on a kept-alive one. */
export async function textFrom(publicUrl: string, from: string, body: string, freshConnection = false): Promise<void> {
  const status = freshConnection
    ? await postOnFreshConnection(inboundMessageRequest(publicUrl, from, body))
    : (await postInboundMessage(publicUrl, from, body)).status;
  if (status !== 200) throw new Error(`the webhook answered ${status}`);
}

function postOnFreshConnection(request: {
  url: string;
  headers: Record<string, string>;
  form: string;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      request.url,
      { method: 'POST', headers: request.headers, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.form);
  });
}

/**
 * Posts `messages` with at most `inFlight` at a time. A number's next message waits until its previous one was
 * acknowledged, as a phone sends one text after another: order within a conversation is then defined (messages
 * still in flight together could reach two web processes and be stored in either order).
 */
export async function postAll(
  publicUrl: string,
  messages: ReadonlyArray<{ from: string; body: string }>,
  inFlight: number,
): Promise<void> {
  const previous = new Map<string, Promise<void>>();
  let next = 0;
  const slot = async () => {
    while (next < messages.length) {
      const message = messages[next++]!;
      const before = previous.get(message.from) ?? Promise.resolve();
      const posted = before.then(() => textFrom(publicUrl, message.from, message.body));
      previous.set(message.from, posted);
      await posted;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, slot));
}

/** What one number asking the three questions one at a time gets: the replies every burst number must get. */
export async function expectedReplies(
  twilioApi: FakeTwilioApi,
  publicUrl: string,
  number: string,
  freshConnections = false,
): Promise<string[]> {
  for (const [index, question] of QUESTIONS.entries()) {
    const before = repliesTo(twilioApi, number).length;
    await textFrom(publicUrl, number, question, freshConnections);
    await waitFor(
      () => repliesTo(twilioApi, number).length > before && repliesTo(twilioApi, number).length,
      20_000,
      `the answer to question ${index}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // a long answer may come in parts
  }
  return repliesTo(twilioApi, number);
}
