/**
 * What stands outside the product in the SMS end-to-end benchmark — the patients' phones (an open-loop sender of
 * signed webhooks) and Twilio (the fake API, with its status callbacks) — run in a worker thread of this process, so
 * they do not take the product's event loop. Sending and reply arrival are timed there, on one clock.
 */
import path from 'node:path';
import type { OpenLoopOutcome, OpenLoopStep } from '../ingest/open-loop-step';
import { WorkerRpc } from '../ingest/worker-rpc';

export type OutsideWorldRequest =
  | { readonly kind: 'start' }
  | {
      readonly kind: 'converse';
      readonly step: OpenLoopStep;
      /** The patient number of each request in `step`, in the same order. */
      readonly recipients: readonly string[];
      readonly replyWaitMs: number;
    }
  | { readonly kind: 'stop' };

/** One run of conversations, as timed in the worker. */
export interface ConversationRun {
  /** The webhooks' acknowledgements. */
  readonly acknowledgements: OpenLoopOutcome;
  /** Webhook sent → first reply to that number accepted by the fake, for numbers that got one. */
  readonly replyLatenciesMs: number[];
  /** Messages accepted for those numbers (more than one per reply when a text is split). */
  readonly messages: number;
  /** First webhook sent → last first reply. */
  readonly replySpanMs: number;
}

export type OutsideWorldReply =
  | { readonly kind: 'started'; readonly twilioApiBaseUrl: string }
  | { readonly kind: 'conversed'; readonly run: ConversationRun }
  | { readonly kind: 'stopped' };

/** The main thread's handle on the outside world's thread. */
export class OutsideWorld {
  private constructor(private readonly rpc: WorkerRpc<OutsideWorldRequest, OutsideWorldReply>) {}

  /** Starts the thread and the fake Twilio API in it; resolves with the fake's base URL. */
  static async start(): Promise<{ world: OutsideWorld; twilioApiBaseUrl: string }> {
    const world = new OutsideWorld(WorkerRpc.start(path.join(__dirname, 'outside-world-worker.ts'), 'outside world'));
    const reply = await world.rpc.call({ kind: 'start' });
    if (reply.kind !== 'started') throw new Error(`outside world: unexpected ${reply.kind}`);
    return { world, twilioApiBaseUrl: reply.twilioApiBaseUrl };
  }

  /** Sends the step's webhooks and waits (at most `replyWaitMs` after the last answer) for every reply. */
  async converse(step: OpenLoopStep, recipients: readonly string[], replyWaitMs: number): Promise<ConversationRun> {
    const reply = await this.rpc.call({ kind: 'converse', step, recipients, replyWaitMs });
    if (reply.kind !== 'conversed') throw new Error(`outside world: unexpected ${reply.kind}`);
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
