/**
 * The outside world's thread (see outside-world.ts): the fake Twilio API with status callbacks, a recorder of reply
 * arrivals, and the open-loop sender of the patients' webhooks.
 */
import { FakeTwilioApi } from '../../test/fakes/twilio/twilio-api-server';
import { ACCOUNT_SID, AUTH_TOKEN } from '../../test/integration/twilio/twilio-test-kit';
import { type OpenLoopOutcome, runOpenLoopStep } from '../ingest/open-loop-step';
import { serveWorkerRpc } from '../ingest/worker-rpc';
import type { ConversationRun, OutsideWorldReply, OutsideWorldRequest } from './outside-world';
import { ReplyArrivals } from './reply-arrivals';

interface World {
  readonly api: FakeTwilioApi;
  readonly arrivals: ReplyArrivals;
}

let world: World | undefined;

async function handle(request: OutsideWorldRequest): Promise<OutsideWorldReply> {
  switch (request.kind) {
    case 'start': {
      const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, statusCallbacks: true });
      world = { api, arrivals: new ReplyArrivals(api) };
      return { kind: 'started', twilioApiBaseUrl: api.baseUrl };
    }
    case 'converse': {
      if (!world) throw new Error('the fake Twilio API is not started');
      const sentAt: number[] = [];
      const acknowledgements = await runOpenLoopStep(request.step, { onSent: (index, at) => (sentAt[index] = at) });
      await world.arrivals.waitForAll(request.recipients, request.replyWaitMs);
      return { kind: 'conversed', run: timeReplies(world.arrivals, request.recipients, sentAt, acknowledgements) };
    }
    case 'stop': {
      world?.arrivals.stop();
      await world?.api.stop();
      world = undefined;
      return { kind: 'stopped' };
    }
  }
}

function timeReplies(
  arrivals: ReplyArrivals,
  recipients: readonly string[],
  sentAt: readonly number[],
  acknowledgements: OpenLoopOutcome,
): ConversationRun {
  const replyLatenciesMs: number[] = [];
  let messages = 0;
  let lastArrival = Number.NEGATIVE_INFINITY;
  recipients.forEach((to, index) => {
    const arrived = arrivals.firstArrival(to);
    const sent = sentAt[index];
    if (arrived === undefined || sent === undefined) return;
    replyLatenciesMs.push(arrived - sent);
    messages += arrivals.messagesTo(to);
    lastArrival = Math.max(lastArrival, arrived);
  });
  const firstSent = Math.min(...sentAt.filter((at) => at !== undefined));
  return { acknowledgements, replyLatenciesMs, messages, replySpanMs: lastArrival - firstSent };
}

serveWorkerRpc(handle);
