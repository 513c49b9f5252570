/** Writes a small Dialogflow ES agent export to a temporary folder, for tests that need their own intents. */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface FixtureIntent {
  name: string;
  fallback?: boolean;
  en?: string[];
  es?: string[];
}

const created: string[] = [];

/** Deletes every folder `writeAgentExport` created in this test file. */
export async function removeAgentExports(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Creates `<tmp>/agent.json`, `<tmp>/intents/<name>.json` and its `_usersays_<lang>.json` files. */
export async function writeAgentExport(intents: FixtureIntent[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nlu-agent-'));
  created.push(dir);
  await mkdir(path.join(dir, 'intents'));
  await writeJson(path.join(dir, 'agent.json'), { language: 'en', supportedLanguages: ['es'] });
  await writeJson(path.join(dir, 'package.json'), { version: '1.0.0' });
  for (const intent of intents) {
    await writeJson(path.join(dir, 'intents', `${intent.name}.json`), {
      id: randomUUID(),
      name: intent.name,
      auto: true,
      contexts: [],
      responses: [],
      priority: 500000,
      webhookUsed: false,
      fallbackIntent: intent.fallback ?? false,
      events: [],
    });
    for (const lang of ['en', 'es'] as const) {
      const phrases = intent[lang];
      if (!phrases) continue;
      await writeJson(
        path.join(dir, 'intents', `${intent.name}_usersays_${lang}.json`),
        phrases.map((text) => ({
          id: randomUUID(),
          data: [{ text, userDefined: false }],
          isTemplate: false,
          count: 0,
          lang,
          updated: 0,
        })),
      );
    }
  }
  return dir;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2));
}
