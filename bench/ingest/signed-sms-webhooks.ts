/**
 * Inbound SMS webhooks exactly as Twilio posts them: the recorded form body (test/fixtures/twilio/sms-inbound.form)
 * with a unique MessageSid each, patient numbers in the 555 range, and `X-Twilio-Signature` computed by the twilio
 * SDK over the URL the webhook is configured with. Signing happens before a step starts, never while it runs.
 */
import crypto from 'node:crypto';
import twilio from 'twilio';
import { AUTH_TOKEN, PRACTICE_NUMBER, encodeForm, fixtureFields } from '../../test/integration/twilio/twilio-test-kit';
import type { PreparedRequest } from './open-loop-step';

const FIXTURE = fixtureFields('sms-inbound.form');
/** MessageSids are `SM` + 32 hex digits: a random run id, then a counter, so no two webhooks of a run share one. */
const RUN_ID = crypto.randomBytes(4).toString('hex');
let sidCounter = 0;

export interface SmsWebhookSpec {
  readonly from: string;
  readonly body: string;
}

/** A fresh MessageSid, unique within this process run. */
export function nextMessageSid(): string {
  sidCounter += 1;
  return `SM${RUN_ID}${sidCounter.toString(16).padStart(24, '0')}`;
}

/** `+1555` numbers for simulated patients, never the practice's own number. */
export function patientNumber(index: number, block: number): string {
  const number = `+1555${String(block * 10_000 + index).padStart(7, '0')}`;
  if (number === PRACTICE_NUMBER) throw new Error('patient numbers must not collide with the practice number');
  return number;
}

/** One signed webhook request; `signedUrl` is PUBLIC_URL + path, what Twilio signs. */
export function signedSmsWebhook(signedUrl: string, spec: SmsWebhookSpec): PreparedRequest {
  const sid = nextMessageSid();
  const fields = { ...FIXTURE, From: spec.from, Body: spec.body, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid };
  return {
    body: encodeForm(fields),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, signedUrl, fields),
    },
  };
}
