/**
 * The ingest benchmark's load generator thread (started with `WorkerRpc.start`): runs each open-loop step it is sent
 * and answers with the outcome.
 */
import { type OpenLoopStep, runOpenLoopStep } from './open-loop-step';
import { serveWorkerRpc } from './worker-rpc';

serveWorkerRpc((step: OpenLoopStep) => runOpenLoopStep(step));
