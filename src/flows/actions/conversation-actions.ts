/** Actions about the conversation itself: counting misses for the fallback, recording a request for staff. */
import type { FlowAction } from '../action-registry';

/** count-miss: `first` on the first consecutive miss, `repeated` from the second on. */
export const countMissAction: FlowAction = {
  name: 'count-miss',
  outcomes: ['first', 'repeated'],
  run({ memory }) {
    memory.consecutiveMisses += 1;
    return { outcome: memory.consecutiveMisses >= 2 ? 'repeated' : 'first' };
  },
};

/** record-handoff (params.reason, or the intent): notes that the patient wants a person; the inbox takes it later. */
export const recordHandoffAction: FlowAction = {
  name: 'record-handoff',
  outcomes: [],
  async run({ params, intent, memory, recordHandoffRequest }) {
    await recordHandoffRequest(String(params.reason ?? intent));
    memory.consecutiveMisses = 0;
    return {};
  },
};
