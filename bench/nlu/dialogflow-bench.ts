/**
 * Dialogflow benchmark: what a patient waits for the NLU when Dialogflow is up, slow (past its deadline), down, and
 * kept out by the open circuit breaker, next to the local engine alone measured in the same run (the baseline, and
 * what every fallback costs on top of the failed call). Dialogflow is the gRPC fake of the tests answering from the
 * local model, reached through the real client. Prints figures; asserts nothing.
 *
 *   npx tsx bench/nlu/dialogflow-bench.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { DialogflowNluEngine } from '../../src/nlu/dialogflow/dialogflow-nlu-engine';
import { createSessionsClient } from '../../src/nlu/dialogflow/sessions-client';
import { parseLabelledCsv } from '../../src/nlu/evaluate';
import { FallbackNluEngine } from '../../src/nlu/fallback-nlu-engine';
import { LocalNluEngine } from '../../src/nlu/local-nlu-engine';
import type { NluEngine } from '../../src/nlu/nlu-engine';
import { loadTrainingData } from '../../src/nlu/training-data';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { DialogflowServer } from '../../test/fakes/dialogflow/dialogflow-server';
import { localModelAnswers } from '../../test/fakes/dialogflow/local-model-answers';

const ROOT = path.resolve(__dirname, '../..');
const DEADLINE_MS = 1500;
const SLOW_MS = 5000;
/** Messages sent while Dialogflow is slow or down: enough to see the breaker open and what follows. */
const OUTAGE_MESSAGES = 12;

type Utterance = { text: string; lang: 'en' | 'es' };

async function durations(
  engine: NluEngine,
  utterances: readonly Utterance[],
  conversationId: string,
): Promise<number[]> {
  const measured: number[] = [];
  for (const { text, lang } of utterances) {
    const start = performance.now();
    await engine.parse(text, lang, { conversationId });
    measured.push(performance.now() - start);
  }
  return measured;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Dialogflow at `port` with the local engine behind it, as the product sets it up (a long cool-down). */
function withFallback(port: number, local: NluEngine, metrics: Metrics): FallbackNluEngine {
  return new FallbackNluEngine({
    primary: new DialogflowNluEngine({
      client: createSessionsClient({ apiEndpoint: `127.0.0.1:${port}` }),
      projectId: 'bench-project',
      deadlineMs: DEADLINE_MS,
    }),
    fallback: local,
    timeoutMs: DEADLINE_MS + 250,
    resetTimeoutMs: 60_000,
    metrics,
    logger: pino({ level: 'silent' }),
  });
}

export async function runDialogflowBench(): Promise<Record<string, number>> {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const utterances = parseLabelledCsv(await readFile(path.join(ROOT, 'test/fixtures/nlu/heldout.csv'), 'utf8'));
  const local = new LocalNluEngine({ loadTrainingData: () => loadTrainingData(path.join(ROOT, 'intents')) });
  await local.train();
  let server = await DialogflowServer.start({ answer: localModelAnswers(local) });
  const metrics = createMetrics();
  const engine = withFallback(server.port, local, metrics);
  try {
    await durations(engine, utterances.slice(0, 20), 'warm-up');
    const baseline = await durations(local, utterances, 'local');
    const up = await durations(engine, utterances, 'up');

    server.setDelay(SLOW_MS);
    const slow = await durations(engine, utterances.slice(0, OUTAGE_MESSAGES), 'slow');
    const port = server.port;
    await server.stop();
    server = await DialogflowServer.start({ answer: localModelAnswers(local), port });
    // A fresh breaker for the outage: the slow spell left this one open.
    const downEngine = withFallback(port, local, metrics);
    await durations(downEngine, utterances.slice(0, 3), 'connect');
    await server.stop();
    const down = await durations(downEngine, utterances.slice(0, OUTAGE_MESSAGES), 'down');
    const open = await durations(downEngine, utterances, 'open');
    await downEngine.close();

    const baselineP50 = percentile(baseline, 50);
    return {
      messages: utterances.length,
      localBaselineP50Ms: baselineP50,
      localBaselineP99Ms: percentile(baseline, 99),
      dialogflowUpP50Ms: percentile(up, 50),
      dialogflowUpP99Ms: percentile(up, 99),
      dialogflowUpP50VsLocal: percentile(up, 50) / baselineP50,
      slowWorstMs: Math.max(...slow),
      slowAfterBreakerP50Ms: percentile(slow.slice(-6), 50),
      downWorstMs: Math.max(...down),
      breakerOpenP50Ms: percentile(open, 50),
      breakerOpenP50VsLocal: percentile(open, 50) / baselineP50,
    };
  } finally {
    await engine.close();
    await server.stop();
  }
}

if (require.main === module) {
  runDialogflowBench().then(
    (figures) => console.log(figures),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
