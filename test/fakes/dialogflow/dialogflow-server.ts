/**
 * A fake Dialogflow ES `Sessions` service as a real gRPC server on 127.0.0.1, built from the `.proto` files shipped in
 * `@google-cloud/dialogflow` (plus google-gax's common protos), so the real `SessionsClient` talks to it unchanged over
 * an insecure channel. Only the unary `DetectIntent` with a text query is implemented (`StreamingDetectIntent` answers
 * UNIMPLEMENTED, as grpc-js does for a missing handler); what it answers comes from the `answer` function given to
 * `start`. Every request is recorded, and the server can be made slow (`setDelay`) or failing (`failNext`,
 * `setFailing`) to exercise an adapter's deadlines and retries.
 *
 * Client side (tests only):
 * `new SessionsClient({ apiEndpoint: '127.0.0.1', port, sslCreds: grpc.credentials.createInsecure(),
 * authClient: new PassThroughClient() })` with `METADATA_SERVER_DETECTION=none`.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { z } from 'zod';
import { decodeStruct, type ProtobufStruct, type ProtobufValue } from '../../../src/nlu/dialogflow/protobuf-struct';

/** The display name Dialogflow gives its fallback intent; an answer with this intent has `isFallback: true`. */
export const FALLBACK_INTENT = 'Default Fallback Intent';

const SESSIONS_SERVICE = 'google.cloud.dialogflow.v2.Sessions';

const DIALOGFLOW_PACKAGE = path.dirname(require.resolve('@google-cloud/dialogflow/package.json'));
/** google/api, google/rpc, google/type, google/protobuf…, from the google-gax the client uses (no `package.json` export). */
const GAX_PROTOS = path.resolve(
  path.dirname(require.resolve('google-gax', { paths: [DIALOGFLOW_PACKAGE] })),
  '..',
  'protos',
);

/**
 * The options google-gax itself loads these protos with (`keepCase: false`: camelCase fields, `enums: String`,
 * `oneofs: true`: a `kind` property names the member of a oneof that is set), so messages here look like the client's.
 */
const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [path.join(DIALOGFLOW_PACKAGE, 'build', 'protos'), GAX_PROTOS],
};

/** A context as sent in `queryParams.contexts` or returned in `outputContexts`, parameters decoded. */
export interface DialogflowContext {
  /** `projects/<p>/agent/sessions/<s>/contexts/<id>`. */
  readonly name: string;
  readonly lifespanCount: number;
  readonly parameters: Record<string, unknown>;
}

/** One DetectIntent request as received (proto3 defaults, e.g. `''`, for what the client left out). */
export interface DetectIntentCall {
  readonly session: string;
  readonly text: string;
  readonly languageCode: string;
  /** `queryParams.contexts`. */
  readonly contexts: readonly DialogflowContext[];
  /** The `x-goog-api-client` header (`… grpc/<version>` from google-gax over gRPC). */
  readonly apiClient: string | undefined;
  readonly receivedAt: Date;
  /** The client's deadline, when it set one. */
  readonly deadline: Date | undefined;
}

/**
 * What the agent matched. `intent` is a display name (`Default Fallback Intent` for the fallback); parameters are
 * plain JS values (string, number, boolean, null, Date, arrays, plain objects), sent as a `google.protobuf.Struct`.
 * Output contexts may be short names (`booking`) or full paths; they replace the echoed input context of that name.
 */
export interface DetectIntentAnswer {
  intent: string;
  confidence: number;
  parameters?: Record<string, unknown>;
  outputContexts?: Array<{ name: string; lifespanCount: number; parameters?: Record<string, unknown> }>;
  fulfillmentText?: string;
}

/** Answers a call; throw an `Error` with a grpc `code` (e.g. INVALID_ARGUMENT) to refuse it with that status. */
export type AnswerDetectIntent = (call: DetectIntentCall) => Promise<DetectIntentAnswer> | DetectIntentAnswer;

export interface DialogflowServerOptions {
  readonly answer: AnswerDetectIntent;
  /** Listen on this port (e.g. a stopped server's, to bring it back); default a free one. */
  readonly port?: number;
}

const structSchema = z.custom<ProtobufStruct>((value) => typeof value === 'object' && value !== null);

const detectIntentRequestSchema = z.object({
  session: z.string(),
  queryParams: z
    .object({
      contexts: z.array(z.object({ name: z.string(), lifespanCount: z.number(), parameters: structSchema.nullish() })),
    })
    .nullish(),
  queryInput: z.object({ text: z.object({ text: z.string(), languageCode: z.string() }).nullish() }).nullish(),
});

type DetectIntentRequest = z.infer<typeof detectIntentRequestSchema>;

/** The DetectIntentResponse fields this fake fills in (camelCase, as proto-loader serialises them). */
interface DetectIntentResponse {
  responseId: string;
  queryResult: {
    queryText: string;
    languageCode: string;
    parameters: ProtobufStruct;
    allRequiredParamsPresent: boolean;
    fulfillmentText: string;
    fulfillmentMessages: Array<{ text: { text: string[] } }>;
    outputContexts: Array<{ name: string; lifespanCount: number; parameters: ProtobufStruct }>;
    intent: { name: string; displayName: string; isFallback: boolean };
    intentDetectionConfidence: number;
  };
}

/** `projects/<p>[/locations/<l>]/agent[/environments/<e>/users/<u>]/sessions/<s>`; group 1 is the agent path. */
const SESSION_PATH =
  /^(projects\/[^/]+(?:\/locations\/[^/]+)?\/agent)(?:\/environments\/[^/]+\/users\/[^/]+)?\/sessions\/[^/]+$/;

/** How long `stop()` lets calls in progress finish before cancelling them. */
const STOP_GRACE_MS = 250;

type Refusal = { code: grpc.status; details: string };

export class DialogflowServer {
  /** Every DetectIntent request received, in arrival order, whatever its outcome. */
  readonly calls: DetectIntentCall[] = [];
  private delayMs = 0;
  private failing: grpc.status | undefined;
  private readonly nextFailures: grpc.status[] = [];
  /** Intent ids by display name: like an agent's, stable for the life of the server. */
  private readonly intentIds = new Map<string, string>();
  private stopped = false;

  private constructor(
    private readonly server: grpc.Server,
    private readonly answer: AnswerDetectIntent,
    readonly port: number,
  ) {}

  static async start(options: DialogflowServerOptions): Promise<DialogflowServer> {
    const definition = await protoLoader.load('google/cloud/dialogflow/v2/session.proto', PROTO_LOADER_OPTIONS);
    const service = definition[SESSIONS_SERVICE];
    if (!service || !('DetectIntent' in service)) throw new Error(`${SESSIONS_SERVICE} not found in the protos`);
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      );
    });
    const fake = new DialogflowServer(server, options.answer, port);
    server.addService(service as grpc.ServiceDefinition, {
      DetectIntent: (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<DetectIntentResponse>,
      ) =>
        void fake.detectIntent(call).then(
          (response) => callback(null, response),
          (error: unknown) => callback(toServiceError(error)),
        ),
    });
    return fake;
  }

  /** Answers every following call `ms` late (0 to answer at once); a client's deadline may pass meanwhile. */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** The next call fails with `code` (queued: call twice to fail the next two), then normal answers resume. */
  failNext(code: grpc.status): void {
    this.nextFailures.push(code);
  }

  /** Every following call fails with `code` until `setFailing(undefined)`. */
  setFailing(code: grpc.status | undefined): void {
    this.failing = code;
  }

  /**
   * Closes the server: connections get a GOAWAY, so a client knows to reconnect and its later calls fail with
   * UNAVAILABLE (a bare `forceShutdown` makes the next call on the dead connection fail with CANCELLED instead).
   * Calls still running after {@link STOP_GRACE_MS} are cancelled.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const force = setTimeout(() => this.server.forceShutdown(), STOP_GRACE_MS);
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    clearTimeout(force);
  }

  private async detectIntent(call: grpc.ServerUnaryCall<unknown, unknown>): Promise<DetectIntentResponse> {
    const request = detectIntentRequestSchema.parse(call.request);
    const received = recordOf(request, call);
    this.calls.push(received);
    await waitUnlessCancelled(this.delayMs, call);
    const injected = this.nextFailures.shift() ?? this.failing;
    if (injected !== undefined) throw refusal(injected, `simulated ${grpc.status[injected]}`);
    const agentPath = validate(received);
    const answer = await this.answer(received);
    return this.toResponse(received, agentPath, answer);
  }

  private toResponse(call: DetectIntentCall, agentPath: string, answer: DetectIntentAnswer): DetectIntentResponse {
    const fulfillmentText = answer.fulfillmentText ?? '';
    return {
      responseId: crypto.randomUUID(),
      queryResult: {
        queryText: call.text,
        languageCode: call.languageCode,
        parameters: encodeStruct(answer.parameters ?? {}),
        allRequiredParamsPresent: true,
        fulfillmentText,
        fulfillmentMessages: fulfillmentText ? [{ text: { text: [fulfillmentText] } }] : [],
        outputContexts: outputContextsOf(call, answer).map((context) => ({
          ...context,
          parameters: encodeStruct(context.parameters),
        })),
        intent: {
          name: `${agentPath}/intents/${this.intentId(answer.intent)}`,
          displayName: answer.intent,
          isFallback: answer.intent === FALLBACK_INTENT,
        },
        intentDetectionConfidence: answer.confidence,
      },
    };
  }

  private intentId(displayName: string): string {
    const id = this.intentIds.get(displayName) ?? crypto.randomUUID();
    this.intentIds.set(displayName, id);
    return id;
  }
}

function recordOf(request: DetectIntentRequest, call: grpc.ServerUnaryCall<unknown, unknown>): DetectIntentCall {
  const deadline = call.getDeadline();
  const apiClient = call.metadata.get('x-goog-api-client')[0];
  return {
    session: request.session,
    text: request.queryInput?.text?.text ?? '',
    languageCode: request.queryInput?.text?.languageCode ?? '',
    contexts: (request.queryParams?.contexts ?? []).map((context) => ({
      name: context.name,
      lifespanCount: context.lifespanCount,
      parameters: decodeStruct(context.parameters),
    })),
    apiClient: apiClient === undefined ? undefined : String(apiClient),
    receivedAt: new Date(),
    deadline: deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : undefined,
  };
}

/** Refuses what Dialogflow refuses (INVALID_ARGUMENT) and returns the agent path of the session. */
function validate(call: DetectIntentCall): string {
  const agentPath = SESSION_PATH.exec(call.session)?.[1];
  if (agentPath === undefined) throw refusal(grpc.status.INVALID_ARGUMENT, `malformed session '${call.session}'`);
  if (call.text.trim() === '') throw refusal(grpc.status.INVALID_ARGUMENT, 'query_input.text.text is required');
  if (call.languageCode === '') throw refusal(grpc.status.INVALID_ARGUMENT, 'language_code is required');
  const foreign = call.contexts.find((context) => !context.name.startsWith(`${call.session}/contexts/`));
  if (foreign) throw refusal(grpc.status.INVALID_ARGUMENT, `context '${foreign.name}' is not of this session`);
  return agentPath;
}

/**
 * Input contexts come back with one turn less of life (dropped at 0), as after a turn that did not touch them; the
 * answer's contexts replace those of the same name.
 */
function outputContextsOf(call: DetectIntentCall, answer: DetectIntentAnswer): DialogflowContext[] {
  const contexts = new Map<string, DialogflowContext>();
  for (const context of call.contexts) {
    if (context.lifespanCount > 1) contexts.set(context.name, { ...context, lifespanCount: context.lifespanCount - 1 });
  }
  for (const context of answer.outputContexts ?? []) {
    const name = context.name.includes('/') ? context.name : `${call.session}/contexts/${context.name}`;
    contexts.set(name, { name, lifespanCount: context.lifespanCount, parameters: context.parameters ?? {} });
  }
  return [...contexts.values()];
}

/** Encodes plain JS values as a `google.protobuf.Struct`; `undefined` fields are left out, as in JSON. */
export function encodeStruct(values: Record<string, unknown>): ProtobufStruct {
  const fields: Record<string, ProtobufValue> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) fields[key] = encodeValue(value);
  return { fields };
}

function encodeValue(value: unknown): ProtobufValue {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (value instanceof Date) return { stringValue: value.toISOString() };
  if (Array.isArray(value)) return { listValue: { values: value.map((item: unknown) => encodeValue(item ?? null)) } };
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'number':
      return { numberValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'object':
      return { structValue: encodeStruct(value as Record<string, unknown>) };
    default:
      throw new TypeError(`cannot encode a ${typeof value} in a google.protobuf.Struct`);
  }
}

function refusal(code: grpc.status, details: string): Error & Refusal {
  return Object.assign(new Error(details), { code, details });
}

function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof z.ZodError) return { code: grpc.status.INVALID_ARGUMENT, details: error.message };
  if (error instanceof Error && 'code' in error && typeof error.code === 'number' && error.code in grpc.status) {
    return { code: error.code, details: error.message };
  }
  return { code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}

/** Waits `ms`, or less when the client cancels (deadline passed, call cancelled, server stopped). */
async function waitUnlessCancelled(ms: number, call: grpc.ServerUnaryCall<unknown, unknown>): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    call.once('cancelled', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (call.cancelled) throw refusal(grpc.status.CANCELLED, 'the client went away');
}
