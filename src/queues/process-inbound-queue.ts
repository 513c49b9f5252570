/**
 * Conversations with unprocessed inbound messages. The worker drains that conversation's unprocessed rows in order,
 * so a duplicate job is harmless.
 */
import { defineJobQueue } from './job-queue';

export interface ProcessInboundJobData {
  readonly conversationId: string;
  readonly inboundMessageId: number;
}

export const processInboundQueue = defineJobQueue<ProcessInboundJobData>(
  'process-inbound',
  (data) => `inbound-${data.inboundMessageId}`,
);
