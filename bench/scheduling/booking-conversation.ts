/**
 * One booking conversation as a verified patient's phone has it: "I need a checkup <when>" → the offer of times →
 * "1" → ("You chose …" and) "Shall I book it?" → "yes" → "You're booked". The phone answers each reply the moment it arrives (no
 * think time). When someone was faster ("someone has just taken that time" and a new offer), it picks the first new
 * time again, and the re-offer is counted.
 */
import { performance } from 'node:perf_hooks';
import { postInboundMessage } from '../../test/integration/twilio/twilio-test-kit';
import type { SmsInbox, SmsVerdict } from './sms-inbox';

const REPLY_TIMEOUT_MS = 20_000;
/** Times a conversation may find its chosen slot taken before it counts as failed. */
const MAX_ATTEMPTS = 3;

export type ReplyStep = 'offer' | 'question' | 'booked' | 're-offer';

export interface ConversationResult {
  readonly booked: boolean;
  /** First text sent → "You're booked" accepted by the fake Twilio API; NaN when not booked. */
  readonly latencyMs: number;
  /** Text sent → the reply it waited for accepted by the fake, per turn. */
  readonly replies: ReadonlyArray<{ readonly step: ReplyStep; readonly latencyMs: number }>;
  /** Re-offers after "someone has just taken that time". */
  readonly slotTaken: number;
  readonly failure?: string;
}

const isOffer = (body: string) => /^1\) /m.test(body) && /None of these/.test(body);
/** "Shall I book it?" (or, in earlier wording, "Shall I book Tue, Nov 24, 1:00 PM with …?"). */
const isQuestion = (body: string) => /Shall I book /.test(body);
/** The read-back of the chosen time that comes before the question (PHI, through the gate). */
const isChoiceReadBack = (body: string) => /^You chose /.test(body);
const isBooked = (body: string) => /^You're booked: /.test(body);
const isTakenApology = (body: string) => /someone has just taken that time/.test(body);
/**
 * What the product may send a patient on its own at any moment: a reminder of a visit due in 48 h or 2 h (one booked
 * during the run, or a seeded one of the phone's patient), or a notice that the practice moved or cancelled a visit.
 */
const isUnsolicited = (body: string) =>
  /Reply C to confirm, R to reschedule, X to cancel\.$|has (cancelled|moved|changed the time of) your/.test(body);

/** The reply `wanted` is expected; `passing` ones and unsolicited messages pass; anything else is wrong. */
const judge =
  (wanted: (body: string) => boolean, passing: (body: string) => boolean = () => false) =>
  (body: string): SmsVerdict =>
    wanted(body) ? 'expected' : passing(body) || isUnsolicited(body) ? 'pass' : 'unexpected';
const judgeOffer = judge(isOffer);
const judgeQuestion = judge(isQuestion, isChoiceReadBack);
const judgeAnswer = judge((body) => isBooked(body) || isOffer(body), isTakenApology);

/** A simulated phone: texts the practice through its signed webhook and reads what the fake Twilio API accepted. */
export class TextingLine {
  constructor(
    private readonly inbox: SmsInbox,
    private readonly publicUrl: string,
    readonly number: string,
  ) {}

  /** Texts `body`; resolves when `judge` calls a reply expected, with the replies and the times on this thread. */
  async turn(
    body: string,
    judge: (reply: string, position: number) => SmsVerdict,
  ): Promise<{ sentAt: number; arrivedAt: number; replies: string[] }> {
    const after = this.inbox.count(this.number);
    const sentAt = performance.now();
    const response = await postInboundMessage(this.publicUrl, this.number, body);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the webhook answered ${response.status}`);
    const arrived = await this.inbox.waitFor(this.number, after, judge, REPLY_TIMEOUT_MS);
    return { sentAt, arrivedAt: arrived.at(-1)!.at, replies: arrived.map((sms) => sms.body) };
  }
}

/** Runs one booking conversation on `line`, asking for `phrase`; never throws (a failure is in the result). */
export async function bookByText(line: TextingLine, phrase: string): Promise<ConversationResult> {
  const replies: Array<{ step: ReplyStep; latencyMs: number }> = [];
  let slotTaken = 0;
  try {
    const first = await line.turn(phrase, judgeOffer);
    replies.push({ step: 'offer', latencyMs: first.arrivedAt - first.sentAt });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const question = await line.turn('1', judgeQuestion);
      replies.push({ step: 'question', latencyMs: question.arrivedAt - question.sentAt });
      const answer = await line.turn('yes', judgeAnswer);
      const booked = isBooked(answer.replies.at(-1)!);
      replies.push({ step: booked ? 'booked' : 're-offer', latencyMs: answer.arrivedAt - answer.sentAt });
      if (booked) return { booked, latencyMs: answer.arrivedAt - first.sentAt, replies, slotTaken };
      slotTaken += 1;
    }
    return failed(replies, slotTaken, `the chosen slot was taken ${MAX_ATTEMPTS} times`);
  } catch (error) {
    return failed(replies, slotTaken, error instanceof Error ? error.message : String(error));
  }
}

function failed(replies: ConversationResult['replies'], slotTaken: number, failure: string): ConversationResult {
  return { booked: false, latencyMs: Number.NaN, replies, slotTaken, failure };
}
