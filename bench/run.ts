/**
 * `npm run bench`: runs every benchmark in bench/ one after another (never in parallel: they would measure each
 * other) and prints all their figures at the end. A benchmark is a `bench/<area>/<area>-bench.ts` module exporting a
 * `run…Bench(): Promise<Record<string, number>>`. Benchmarks print figures and never assert on time; a benchmark
 * that throws makes the run exit non-zero after the others have run.
 */
import fs from 'node:fs';
import path from 'node:path';

type BenchFunction = () => Promise<Record<string, number>>;

interface BenchModule {
  readonly file: string;
  readonly exportName: string;
}

/** Benchmarks this run expects; one whose file does not exist (yet) is skipped with a note. */
const KNOWN_BENCHMARKS: readonly BenchModule[] = [
  { file: 'nlu/nlu-bench.ts', exportName: 'runNluBench' },
  { file: 'webchat/webchat-bench.ts', exportName: 'runWebchatBench' },
  { file: 'ingest/ingest-bench.ts', exportName: 'runIngestBench' },
  { file: 'e2e/sms-e2e-bench.ts', exportName: 'runSmsE2eBench' },
];

/** Any other `bench/<area>/*-bench.ts` is run too, through its exported `run…Bench` function. */
function discoverBenchmarks(): BenchModule[] {
  const known = new Set(KNOWN_BENCHMARKS.map((bench) => bench.file));
  const discovered: BenchModule[] = [];
  for (const entry of fs.readdirSync(__dirname, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(__dirname, entry.name))) {
      const relative = `${entry.name}/${file}`;
      if (file.endsWith('-bench.ts') && !known.has(relative)) discovered.push({ file: relative, exportName: '' });
    }
  }
  return [...KNOWN_BENCHMARKS, ...discovered.sort((a, b) => a.file.localeCompare(b.file))];
}

async function loadBenchFunction(bench: BenchModule): Promise<BenchFunction> {
  // A computed specifier: a benchmark another change has not added yet must not break compiling this runner.
  const specifier = path.join(__dirname, bench.file.replace(/\.ts$/, ''));
  const loaded = (await import(specifier)) as Record<string, unknown>;
  const name = bench.exportName || Object.keys(loaded).find((key) => /^run\w*Bench$/.test(key));
  const run = name ? loaded[name] : undefined;
  if (typeof run !== 'function')
    throw new Error(`bench/${bench.file} exports no ${bench.exportName || 'run…Bench'} function`);
  return run as BenchFunction;
}

function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}

function printSummary(results: ReadonlyArray<{ file: string; figures: Record<string, number> }>): void {
  console.log('\n=== Benchmark figures ===');
  for (const { file, figures } of results) {
    console.log(`bench/${file}`);
    const width = Math.max(0, ...Object.keys(figures).map((key) => key.length));
    for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(width)}  ${formatFigure(value)}`);
  }
}

async function main(): Promise<void> {
  const results: Array<{ file: string; figures: Record<string, number> }> = [];
  const notes: string[] = [];
  let failed = false;
  for (const bench of discoverBenchmarks()) {
    if (!fs.existsSync(path.join(__dirname, bench.file))) {
      notes.push(`skipped bench/${bench.file}: not present in this checkout`);
      continue;
    }
    console.log(`\n--- bench/${bench.file} ---`);
    const started = Date.now();
    try {
      const run = await loadBenchFunction(bench);
      results.push({ file: bench.file, figures: await run() });
      console.log(`(bench/${bench.file} took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed = true;
      notes.push(`FAILED bench/${bench.file}: ${error instanceof Error ? error.message : String(error)}`);
      console.error(error);
    }
  }
  printSummary(results);
  for (const note of notes) console.log(note);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
