/**
 * The NLU training phrases as a Dialogflow ES agent export (the layout of the repository's intents/: agent.json,
 * package.json, intents/<name>.json and <name>_usersays_<lang>.json). The same files go into `concierge flows
 * export`, into the zip Dialogflow imports and out of `nlu import-dialogflow`, so they are built here only. Output is
 * deterministic: ids are name-based UUIDs, nothing carries a time, so equal content gives equal bytes.
 */
import crypto from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { ValidationError } from '../errors';
import { LANGUAGES } from '../nlu/nlu-engine';
import type { ContentBundle, TrainingIntentContent } from './content-bundle';

/** Our namespace for name-based ids (RFC 4122 version 5); fixed so re-exports keep every id. */
const ID_NAMESPACE = Buffer.from('04484f14a2534e4d972b5578c330d8da', 'hex');

/** DOS timestamps are local time: a date built from local fields is the same entry on every machine. */
const ZIP_ENTRY_TIME = new Date(2000, 0, 1);

/** Relative path → file text, in a stable order. */
export type AgentFiles = ReadonlyMap<string, string>;

export function dialogflowAgentFiles(bundle: ContentBundle): AgentFiles {
  return buildAgentFiles(agentOf(bundle), bundle.training);
}

/** The files of an agent export: `agent` as its agent.json, then each intent and its phrases, in the given order. */
export function buildAgentFiles(agent: object, training: readonly TrainingIntentContent[]): AgentFiles {
  const files = new Map<string, string>([
    ['agent.json', json(agent)],
    ['package.json', json({ version: '1.0.0' })],
  ]);
  for (const intent of training) {
    assertFileName(intent.name);
    files.set(`intents/${intent.name}.json`, json(intentOf(intent)));
    for (const lang of LANGUAGES) {
      // Dialogflow's own exports leave out a language without phrases.
      if (intent.phrases[lang].length === 0) continue;
      files.set(`intents/${intent.name}_usersays_${lang}.json`, json(userSaysOf(intent, lang)));
    }
  }
  return files;
}

/** A zip Dialogflow ES imports ("Restore from zip"), agent.json at its root; same content, same bytes. */
export function dialogflowAgentZip(bundle: ContentBundle): Uint8Array {
  return zipAgentFiles(dialogflowAgentFiles(bundle));
}

/** Agent files as a zip, entries in the files' order with a fixed time, so equal files give equal bytes. */
export function zipAgentFiles(files: AgentFiles): Uint8Array {
  const entries = [...files].map(([name, text]) => [name, strToU8(text)] as const);
  return zipSync(Object.fromEntries(entries), { mtime: ZIP_ENTRY_TIME });
}

/** An intent name becomes a file name: it must stay one. */
function assertFileName(name: string): void {
  if (/[/\\]/.test(name) || name.startsWith('.')) {
    throw new ValidationError(`Intent '${name}': a name cannot contain '/' or '\\' or start with '.'`);
  }
}

function agentOf(bundle: ContentBundle): object {
  return {
    description: `${bundle.practice.name}: patient questions, scheduling and FAQs (Clinic Concierge).`,
    language: 'en',
    shortDescription: '',
    examples: '',
    linkToDocs: '',
    disableInteractionLogs: false,
    disableStackdriverLogs: true,
    googleAssistant: {
      googleAssistantCompatible: false,
      project: '',
      welcomeIntentSignInRequired: false,
      startIntents: [],
      systemIntents: [],
      endIntentIds: [],
      oAuthLinking: {
        required: false,
        providerId: '',
        authorizationUrl: '',
        tokenUrl: '',
        scopes: '',
        privacyPolicyUrl: '',
        grantType: 'AUTH_CODE_GRANT',
      },
      voiceType: 'MALE_1',
      capabilities: [],
      env: '',
      protocolVersion: 'V2',
      autoPreviewEnabled: false,
      isDeviceAgent: false,
    },
    defaultTimezone: bundle.locations[0]!.timeZone,
    webhook: {
      url: '',
      username: '',
      headers: {},
      available: false,
      useForDomains: false,
      cloudFunctionsEnabled: false,
      cloudFunctionsInitialized: false,
    },
    isPrivate: true,
    mlMinConfidence: 0.3,
    supportedLanguages: ['es'],
    enableOnePlatformApi: true,
    onePlatformApiVersion: 'v2',
    secondaryLanguages: ['es'],
    analyzeQueryTextSentiment: false,
    enabledKnowledgeBaseNames: [],
    knowledgeServiceConfidenceAdjustment: 0,
    dialogBuilderMode: false,
    baseActionPackagesUrl: '',
    enableSpellCorrection: false,
  };
}

function intentOf(intent: TrainingIntentContent): object {
  return {
    id: nameBasedId(`intent\n${intent.name}`),
    name: intent.name,
    auto: true,
    contexts: [],
    responses: [
      {
        resetContexts: false,
        // Dialogflow's own name for the fallback's action; every other intent answers with its name.
        action: intent.fallback ? 'input.unknown' : intent.name,
        affectedContexts: [],
        parameters: [],
        messages: [],
        speech: [],
      },
    ],
    priority: 500000,
    webhookUsed: false,
    webhookForSlotFilling: false,
    fallbackIntent: intent.fallback,
    events: [],
    conditionalResponses: [],
    condition: '',
    conditionalFollowupEvents: [],
  };
}

function userSaysOf(intent: TrainingIntentContent, lang: (typeof LANGUAGES)[number]): object[] {
  const seen = new Map<string, number>();
  return intent.phrases[lang].map((text) => {
    // A phrase listed twice still needs two ids.
    const repeat = seen.get(text) ?? 0;
    seen.set(text, repeat + 1);
    return {
      id: nameBasedId(`phrase\n${intent.name}\n${lang}\n${text}\n${repeat}`),
      data: [{ text, userDefined: false }],
      isTemplate: false,
      count: 0,
      lang,
      updated: 0,
    };
  });
}

/** A version-5 (SHA-1, name-based) UUID in our namespace. */
function nameBasedId(name: string): string {
  const hash = crypto.createHash('sha1').update(ID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
