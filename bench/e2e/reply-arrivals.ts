/**
 * When each reply reached the fake Twilio API. Node's `http.server.response.finish` diagnostics channel reports every
 * response a server in this process finishes; when one comes from the fake's port, the fake has just recorded the
 * request it answered, so every newly recorded accepted message is stamped with that moment, by recipient.
 * Event-driven (no polling interval in the figures) and without touching the fake.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FakeTwilioApi } from '../../test/fakes/twilio/twilio-api-server';

const RESPONSE_FINISHED = 'http.server.response.finish';

/** True when a `http.server.response.finish` message is about a request served on `port`. */
function servedOnPort(message: unknown, port: number): boolean {
  const request = (message as { readonly request?: http.IncomingMessage } | null)?.request;
  return request?.socket.localPort === port;
}

export class ReplyArrivals {
  private readonly firstArrivals = new Map<string, number>();
  private readonly messageCounts = new Map<string, number>();
  private readonly port: number;
  private recorded = 0;
  private onArrival?: () => void;

  constructor(private readonly api: FakeTwilioApi) {
    this.port = Number(new URL(api.baseUrl).port);
    diagnosticsChannel.subscribe(RESPONSE_FINISHED, this.onResponseFinished);
  }

  /** When the first message to `to` was accepted (performance.now() of this thread). */
  firstArrival(to: string): number | undefined {
    return this.firstArrivals.get(to);
  }

  /** How many messages to `to` were accepted. */
  messagesTo(to: string): number {
    return this.messageCounts.get(to) ?? 0;
  }

  /** Resolves once every number in `recipients` has had a message, or when `timeoutMs` has passed. */
  async waitForAll(recipients: readonly string[], timeoutMs: number): Promise<void> {
    const allArrived = () => recipients.every((to) => this.firstArrivals.has(to));
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        this.onArrival = () => {
          if (allArrived()) resolve();
        };
        this.onArrival();
      });
    } finally {
      clearTimeout(timer);
      this.onArrival = undefined;
    }
  }

  stop(): void {
    diagnosticsChannel.unsubscribe(RESPONSE_FINISHED, this.onResponseFinished);
  }

  private readonly onResponseFinished = (message: unknown): void => {
    if (!servedOnPort(message, this.port)) return;
    const at = performance.now();
    const received = this.api.received;
    for (; this.recorded < received.length; this.recorded += 1) {
      const request = received[this.recorded]!;
      const to = request.params.To;
      if (request.sid === undefined || to === undefined) continue;
      if (!this.firstArrivals.has(to)) this.firstArrivals.set(to, at);
      this.messageCounts.set(to, (this.messageCounts.get(to) ?? 0) + 1);
    }
    this.onArrival?.();
  };
}
