/** Scheduling requests to try again once the EMR may be back; the job carries the request id only. */
import { defineJobQueue } from './job-queue';

export interface SchedulingRetryJobData {
  readonly requestId: string;
}

export const schedulingRetryQueue = defineJobQueue<SchedulingRetryJobData>(
  'scheduling-retry',
  (data) => `scheduling-${data.requestId}`,
);
