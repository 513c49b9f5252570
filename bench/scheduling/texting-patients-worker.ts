/**
 * The phones' thread (see texting-patients.ts): the fake Twilio API with status callbacks, an inbox of what it
 * accepted, and the phones that text the product and answer its replies.
 */
import { FakeTwilioApi } from '../../test/fakes/twilio/twilio-api-server';
import { ACCOUNT_SID, AUTH_TOKEN } from '../../test/integration/twilio/twilio-test-kit';
import { serveWorkerRpc } from '../ingest/worker-rpc';
import { bookByText, TextingLine } from './booking-conversation';
import { WishLeases } from './booking-wishes';
import { runClosedLoop } from './closed-loop';
import { SmsInbox } from './sms-inbox';
import type { TextingReply, TextingRequest } from './texting-patients';

interface Phones {
  readonly api: FakeTwilioApi;
  readonly inbox: SmsInbox;
}

let phones: Phones | undefined;

function started(): Phones {
  if (!phones) throw new Error('the fake Twilio API is not started');
  return phones;
}

async function handle(request: TextingRequest): Promise<TextingReply> {
  switch (request.kind) {
    case 'start': {
      const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, statusCallbacks: true });
      phones = { api, inbox: new SmsInbox(api) };
      return { kind: 'started', twilioApiBaseUrl: api.baseUrl };
    }
    case 'text': {
      const { inbox } = started();
      const line = new TextingLine(inbox, request.publicUrl, request.from);
      const enough = (_reply: string, position: number) => (position + 1 >= request.replies ? 'expected' : 'pass');
      const { replies } = await line.turn(request.body, enough);
      return { kind: 'texted', replies };
    }
    case 'book': {
      const { inbox } = started();
      const lines = request.phones.map((number) => new TextingLine(inbox, request.publicUrl, number));
      const leases = new WishLeases(request.wishes);
      const run = await runClosedLoop(lines, request.conversations, leases, (line, wish) =>
        bookByText(line, wish.phrase),
      );
      return { kind: 'booked', run: { ...run, wishes: leases.left() } };
    }
    case 'stop': {
      phones?.inbox.stop();
      await phones?.api.stop();
      phones = undefined;
      return { kind: 'stopped' };
    }
  }
}

serveWorkerRpc(handle);
