/** Reminders before a visit; the job names our tracked appointment and its version, never the visit itself. */
import { defineJobQueue } from './job-queue';

export interface ReminderJobData {
  readonly trackedId: string;
  readonly version: number;
  readonly lead: '48h' | '2h';
}

export const appointmentReminderQueue = defineJobQueue<ReminderJobData>(
  'appointment-reminder',
  (data) => `reminder-${data.trackedId}-${data.version}-${data.lead}`,
);
