/**
 * A patient's phone talking to the whole product through the Twilio fake: signed inbound webhooks out, and the SMS
 * the product sent to this number (the real twilio SDK posting to the fake) in.
 */
import { waitFor } from '../../support/wait-for';
import { type TwilioProductSetup, postInboundMessage } from './twilio-test-kit';

const TIMEOUT_MS = 20_000;

export class TextingPhone {
  constructor(
    private readonly setup: TwilioProductSetup,
    readonly number: string,
  ) {}

  /** Every SMS body the product sent to this number, oldest first. */
  received(): string[] {
    return this.setup.twilioApi
      .accepted()
      .filter((request) => request.params.To === this.number)
      .map((request) => request.params.Body ?? '');
  }

  /** Texts the practice and waits for `count` new SMS back; returns them. */
  async text(body: string, count = 1): Promise<string[]> {
    const before = this.received().length;
    expect((await postInboundMessage(this.setup.publicUrl, this.number, body)).status).toBe(200);
    return waitFor(
      () => (this.received().length >= before + count ? this.received().slice(before) : undefined),
      TIMEOUT_MS,
      `${count} SMS after "${body}"`,
    );
  }

  /** The 6-digit code in the first SMS after the `before`th one. */
  async codeAfter(before: number): Promise<string> {
    const body = await waitFor(
      () =>
        this.received()
          .slice(before)
          .find((text) => /\b\d{6}\b/.test(text)),
      TIMEOUT_MS,
      'the verification code',
    );
    return /\b(\d{6})\b/.exec(body)![1]!;
  }

  /** The secure link (`PUBLIC_URL/s/<token>`) in one of `replies`. */
  secureLinkIn(replies: readonly string[]): string {
    const url = replies
      .map((reply) => new RegExp(`${this.setup.publicUrl}/s/[A-Za-z0-9_-]{43}`).exec(reply)?.[0])
      .find(Boolean);
    if (!url) throw new Error(`no secure link in: ${replies.join(' | ')}`);
    return url;
  }
}
