/** Outbound messages to send; one job per outbound row. */
import { defineJobQueue } from './job-queue';

export interface SendOutboundJobData {
  readonly outboundMessageId: number;
}

export const sendOutboundQueue = defineJobQueue<SendOutboundJobData>(
  'send-outbound',
  (data) => `send-${data.outboundMessageId}`,
);
