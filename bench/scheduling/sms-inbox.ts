/**
 * Every SMS the product handed to the fake Twilio API, by recipient, stamped with the moment the fake answered it.
 * Like bench/e2e/reply-arrivals.ts it listens to Node's `http.server.response.finish` diagnostics channel for the
 * fake's port (event-driven: no polling interval in the figures, and the fake is not touched), but keeps every
 * message, not only the first, because a booking conversation is several replies to the same phone.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FakeTwilioApi } from '../../test/fakes/twilio/twilio-api-server';

const RESPONSE_FINISHED = 'http.server.response.finish';

/** One SMS accepted by the fake: its text and when (performance.now() of this thread). */
export interface ArrivedSms {
  readonly body: string;
  readonly at: number;
}

/** What a turn makes of an SMS: the one it waited for, one to let pass (an apology before a new offer), or wrong. */
export type SmsVerdict = 'expected' | 'pass' | 'unexpected';

export class SmsInbox {
  private readonly byRecipient = new Map<string, ArrivedSms[]>();
  private readonly listeners = new Set<() => void>();
  private readonly port: number;
  private recorded = 0;

  constructor(private readonly api: FakeTwilioApi) {
    this.port = Number(new URL(api.baseUrl).port);
    diagnosticsChannel.subscribe(RESPONSE_FINISHED, this.onResponseFinished);
  }

  /** How many SMS `to` has received so far (pass it to `waitFor` as `after`). */
  count(to: string): number {
    return this.byRecipient.get(to)?.length ?? 0;
  }

  /**
   * Resolves with the SMS to `to` received after the first `after` ones, up to and including the first that `judge`
   * calls expected (`position` counts from 0 after `after`). Rejects on one it calls unexpected, or after `timeoutMs`.
   */
  waitFor(
    to: string,
    after: number,
    judge: (body: string, position: number) => SmsVerdict,
    timeoutMs: number,
  ): Promise<ArrivedSms[]> {
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const check = () => {
        const arrived = (this.byRecipient.get(to) ?? []).slice(after);
        for (const [index, sms] of arrived.entries()) {
          const verdict = judge(sms.body, index);
          if (verdict === 'expected') return finish(() => resolve(arrived.slice(0, index + 1)));
          if (verdict === 'unexpected')
            return finish(() => reject(new Error(`unexpected reply: ${sms.body.slice(0, 160)}`)));
        }
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no reply within ${timeoutMs} ms`))), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  stop(): void {
    diagnosticsChannel.unsubscribe(RESPONSE_FINISHED, this.onResponseFinished);
  }

  private readonly onResponseFinished = (message: unknown): void => {
    const request = (message as { readonly request?: http.IncomingMessage } | null)?.request;
    if (request?.socket.localPort !== this.port) return;
    const at = performance.now();
    const received = this.api.received;
    for (; this.recorded < received.length; this.recorded += 1) {
      const { sid, params } = received[this.recorded]!;
      if (sid === undefined || params.To === undefined) continue;
      const messages = this.byRecipient.get(params.To) ?? [];
      messages.push({ body: params.Body ?? '', at });
      this.byRecipient.set(params.To, messages);
    }
    for (const listener of [...this.listeners]) listener();
  };
}
