/**
 * Bundles the browser code with esbuild, in memory, when the web router is created: the embed loader
 * (`widget/loader.ts`), the chat frame script (`chat/chat-frame.ts`) and its stylesheet. Nothing is written to
 * disk and there is no build step, so the TypeScript sources under src/web must be present at run time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../project-paths';

export interface WebAssets {
  /** /widget.js */
  readonly widgetScript: string;
  /** /chat.js */
  readonly chatScript: string;
  /** /chat.css */
  readonly chatStyles: string;
  /** /inbox/assets/inbox.js and inbox.css */
  readonly inboxScript: string;
  readonly inboxStyles: string;
  /** chat/chat-frame.html, with `{{practiceName}}` placeholders */
  readonly chatPageTemplate: string;
}

/** Where the browser sources are: beside this file under tsx, or back in src/web when this runs compiled from dist/. */
function findWebSourceDirectory(): string {
  const candidates = [__dirname, path.join(PROJECT_ROOT, 'src', 'web')];
  const found = candidates.find((directory) => existsSync(path.join(directory, 'chat', 'chat-frame.ts')));
  if (found === undefined)
    throw new Error(`web assets: browser sources not found (looked in ${candidates.join(', ')})`);
  return found;
}

const ENTRY_POINTS = {
  widget: 'widget/loader.ts',
  chat: 'chat/chat-frame.ts',
  'chat-styles': 'chat/chat-frame.css',
  inbox: 'inbox/browser/inbox-client.ts',
  'inbox-styles': 'inbox/inbox.css',
} as const;

function outputText(outputs: ReadonlyMap<string, string>, fileName: string): string {
  const text = outputs.get(fileName);
  if (text === undefined) throw new Error(`web assets: esbuild produced no ${fileName}`);
  return text;
}

/** Builds every browser asset once; the practice name is compiled into the loader (iframe title). */
export async function bundleWebAssets(practiceName: string): Promise<WebAssets> {
  const sourceDirectory = findWebSourceDirectory();
  const entryPoints = Object.fromEntries(
    Object.entries(ENTRY_POINTS).map(([name, source]) => [name, path.join(sourceDirectory, source)]),
  );
  const [result, chatPageTemplate] = await Promise.all([
    build({
      entryPoints,
      outdir: path.join(sourceDirectory, 'in-memory'),
      write: false,
      bundle: true,
      minify: true,
      format: 'iife',
      target: 'es2020',
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'silent',
      tsconfig: path.join(sourceDirectory, 'tsconfig.json'),
      define: { __CC_PRACTICE_NAME__: JSON.stringify(practiceName) },
    }),
    readFile(path.join(sourceDirectory, 'chat', 'chat-frame.html'), 'utf8'),
  ]);
  const outputs = new Map(result.outputFiles.map((file) => [path.basename(file.path), file.text]));
  return {
    widgetScript: outputText(outputs, 'widget.js'),
    chatScript: outputText(outputs, 'chat.js'),
    chatStyles: outputText(outputs, 'chat-styles.css'),
    inboxScript: outputText(outputs, 'inbox.js'),
    inboxStyles: outputText(outputs, 'inbox-styles.css'),
    chatPageTemplate,
  };
}
