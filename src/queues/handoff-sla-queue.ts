/** SLA timers of waiting inbox items: a delayed job per item and due time, carrying the item id only. */
import { defineJobQueue } from './job-queue';

export interface HandoffSlaJobData {
  readonly itemId: number;
  /** The due time the job was set for (ms): a transfer sets a new one, and the old job's id stays distinct. */
  readonly dueAt: number;
}

export const handoffSlaQueue = defineJobQueue<HandoffSlaJobData>(
  'handoff-sla',
  (data) => `sla-${data.itemId}-${data.dueAt}`,
);
