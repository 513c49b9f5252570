/**
 * HL7 v2 acknowledgements, both ways: the ACK we answer each EHR message with (MSA, and ERR with a table 0357 code,
 * never text that could quote the message), and reading the EHR's ACK to one of our requests.
 */
import '../demo/websocket-global';
import crypto from 'node:crypto';
import { Hl7Message } from '@medplum/core';
import { componentOf, controlIdOf, encodeHeader, encodeMessage, encodeSegment, messageTypeOf } from './hl7-encoding';

/** HL7 table 0357 (message error condition codes) that we answer with. */
export const HL7_ERROR_CODES = {
  segmentSequenceError: ['100', 'Segment sequence error'],
  requiredFieldMissing: ['101', 'Required field missing'],
  dataTypeError: ['102', 'Data type error'],
  unsupportedMessageType: ['200', 'Unsupported message type'],
  unsupportedEventCode: ['201', 'Unsupported event code'],
  applicationInternalError: ['207', 'Application internal error'],
} as const;
export type Hl7ErrorCondition = keyof typeof HL7_ERROR_CODES;

/** AA: applied; AE: we could not process it (the EHR may fix and resend); AR: we do not take this kind of message. */
export type OurAckCode = 'AA' | 'AE' | 'AR';

/** A fresh MSH-10 (at most 20 characters, the v2.5 limit). */
export function newControlId(): string {
  return `CC${crypto.randomBytes(9).toString('hex')}`;
}

/**
 * Our ACK to `received` (undefined when it could not even be parsed: MSA-2 is then empty, since we cannot tell
 * which message it was).
 */
export function buildAck(
  received: Hl7Message | undefined,
  ackCode: OurAckCode,
  sendingFacility: string,
  error?: Hl7ErrorCondition,
): string {
  const header = received?.getSegment('MSH');
  const trigger = received ? messageTypeOf(received)[1] : '';
  const segments = [
    encodeHeader({
      sendingFacility,
      receivingApplication: componentOf(header, 3),
      receivingFacility: componentOf(header, 4),
      sentAt: new Date(),
      messageType: ['ACK', trigger, 'ACK'],
      controlId: newControlId(),
    }),
    encodeSegment('MSA', [ackCode, received ? controlIdOf(received) : undefined]),
  ];
  if (error !== undefined) {
    const [code, text] = HL7_ERROR_CODES[error];
    segments.push(encodeSegment('ERR', [undefined, undefined, [code, text, 'HL70357'], 'E']));
  }
  return encodeMessage(segments);
}

/** The EHR's answer to one of our messages. */
export interface AckOutcome {
  /** MSA-1 (AA, AE, AR, or CA/CE/CR in enhanced mode). */
  readonly ackCode: string;
  /** ERR-3's code when it is a plain code; the EHR's texts are never kept (they may quote the patient). */
  readonly errorCode?: string;
}

const PLAIN_CODE = /^[A-Za-z0-9._-]{1,20}$/;

/** The outcome if `frame` is an ACK to message `controlId`; undefined for anything else. */
export function readAck(frame: string, controlId: string): AckOutcome | undefined {
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(frame);
  } catch {
    return undefined;
  }
  const acknowledgment = message.getSegment('MSA');
  if (componentOf(acknowledgment, 2) !== controlId) return undefined;
  const ackCode = componentOf(acknowledgment, 1).toUpperCase();
  const errorCode = componentOf(message.getSegment('ERR'), 3);
  return PLAIN_CODE.test(errorCode) ? { ackCode, errorCode } : { ackCode };
}

/** AA or CA: the EHR took the request (and answers it later with an SIU). */
export function isAccepted(outcome: AckOutcome): boolean {
  return outcome.ackCode === 'AA' || outcome.ackCode === 'CA';
}
