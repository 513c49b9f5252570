/**
 * What our MLLP listener does with each message from the EHR: parse, check it is an SIU we take, apply it to the
 * mirror, acknowledge. AA once applied; AR for a message type or event we do not take (resending will not help);
 * AE for a message we cannot read or could not store (the EHR's interface queues it and retries). Never throws: even
 * garbage gets an answer, and the listener keeps serving.
 */
import '../demo/websocket-global';
import { Hl7Message } from '@medplum/core';
import type { Logger } from '../../observability/logger';
import { buildAck } from './hl7-acks';
import { messageTypeOf } from './hl7-encoding';
import type { Hl7v2Store } from './hl7v2-store';
import { isSiuTrigger, parseSiuEvent, SiuMessageError } from './siu-events';

export interface SiuReceiverOptions {
  readonly store: Hl7v2Store;
  readonly sendingFacility: string;
  /** The zone of timestamps sent without a UTC offset. */
  readonly timeZone: string;
  readonly logger?: Logger;
}

export function createSiuReceiver(options: SiuReceiverOptions): (text: string) => Promise<string> {
  const { store, sendingFacility, timeZone, logger } = options;
  return async (text) => {
    let message: Hl7Message;
    try {
      message = Hl7Message.parse(text);
    } catch {
      logger?.warn({ errorCode: '100' }, 'hl7v2 message unreadable');
      return buildAck(undefined, 'AE', sendingFacility, 'segmentSequenceError');
    }
    const [code, trigger] = messageTypeOf(message);
    if (code === '') {
      logger?.warn({ errorCode: '101' }, 'hl7v2 message without a type');
      return buildAck(message, 'AE', sendingFacility, 'requiredFieldMissing');
    }
    if (code !== 'SIU') {
      logger?.warn({ messageType: code.slice(0, 3) }, 'hl7v2 message type not taken');
      return buildAck(message, 'AR', sendingFacility, 'unsupportedMessageType');
    }
    if (!isSiuTrigger(trigger)) {
      logger?.warn({ trigger: trigger.slice(0, 3) }, 'hl7v2 SIU event not taken');
      return buildAck(message, 'AR', sendingFacility, 'unsupportedEventCode');
    }
    try {
      const outcome = await store.applySiuEvent(parseSiuEvent(message, trigger, timeZone));
      logger?.info({ trigger, outcome }, 'hl7v2 SIU applied');
      return buildAck(message, 'AA', sendingFacility);
    } catch (error) {
      if (error instanceof SiuMessageError) {
        logger?.warn({ trigger, field: error.field, condition: error.condition }, 'hl7v2 SIU refused');
        return buildAck(message, 'AE', sendingFacility, error.condition);
      }
      logger?.error({ err: error, trigger }, 'hl7v2 SIU not stored');
      return buildAck(message, 'AE', sendingFacility, 'applicationInternalError');
    }
  };
}
