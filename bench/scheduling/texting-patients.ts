/**
 * The patients' phones and Twilio (the fake API, with its status callbacks) for the scheduling benchmark, run in a
 * worker thread of this process (texting-patients-worker.ts) so that the product's event loop carries only the
 * product, as in bench/e2e. Texts are sent and replies timed there, on one clock.
 */
import path from 'node:path';
import { WorkerRpc } from '../ingest/worker-rpc';
import type { ClosedLoopRun } from './closed-loop';
import type { BookingWish } from './booking-wishes';
import type { ConversationResult } from './booking-conversation';

export type TextingRequest =
  | { readonly kind: 'start' }
  /** One text from `from`; answered with the next `replies` SMS the product sent to it. */
  | {
      readonly kind: 'text';
      readonly publicUrl: string;
      readonly from: string;
      readonly body: string;
      readonly replies: number;
    }
  /** `conversations` booking conversations, the phones in parallel, each phone one conversation at a time. */
  | {
      readonly kind: 'book';
      readonly publicUrl: string;
      readonly phones: readonly string[];
      readonly conversations: number;
      readonly wishes: readonly BookingWish[];
    }
  | { readonly kind: 'stop' };

/** A run of booking conversations, and the wishes with the slots they left. */
export interface BookingRun extends ClosedLoopRun<ConversationResult> {
  readonly wishes: BookingWish[];
}

export type TextingReply =
  | { readonly kind: 'started'; readonly twilioApiBaseUrl: string }
  | { readonly kind: 'texted'; readonly replies: string[] }
  | { readonly kind: 'booked'; readonly run: BookingRun }
  | { readonly kind: 'stopped' };

/** The main thread's handle on the phones' thread. */
export class TextingPatients {
  private constructor(private readonly rpc: WorkerRpc<TextingRequest, TextingReply>) {}

  /** Starts the thread and the fake Twilio API in it; resolves with the fake's base URL. */
  static async start(): Promise<{ patients: TextingPatients; twilioApiBaseUrl: string }> {
    const rpc = WorkerRpc.start<TextingRequest, TextingReply>(
      path.join(__dirname, 'texting-patients-worker.ts'),
      'texting patients',
    );
    const patients = new TextingPatients(rpc);
    const reply = await rpc.call({ kind: 'start' });
    if (reply.kind !== 'started') throw new Error(`texting patients: unexpected ${reply.kind}`);
    return { patients, twilioApiBaseUrl: reply.twilioApiBaseUrl };
  }

  /** Texts the practice at `publicUrl` from `from` and resolves with the next `replies` SMS it sent back. */
  async text(publicUrl: string, from: string, body: string, replies = 1): Promise<string[]> {
    const reply = await this.rpc.call({ kind: 'text', publicUrl, from, body, replies });
    if (reply.kind !== 'texted') throw new Error(`texting patients: unexpected ${reply.kind}`);
    return reply.replies;
  }

  /** Runs booking conversations on `phones` in parallel until `conversations` have been held. */
  async book(
    publicUrl: string,
    phones: readonly string[],
    conversations: number,
    wishes: readonly BookingWish[],
  ): Promise<BookingRun> {
    const reply = await this.rpc.call({ kind: 'book', publicUrl, phones, conversations, wishes });
    if (reply.kind !== 'booked') throw new Error(`texting patients: unexpected ${reply.kind}`);
    return reply.run;
  }

  /** Stops the fake (waiting for its status callbacks in flight) and the thread. */
  async stop(): Promise<void> {
    try {
      await this.rpc.call({ kind: 'stop' });
    } finally {
      await this.rpc.stop();
    }
  }
}
