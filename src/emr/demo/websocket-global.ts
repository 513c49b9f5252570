/**
 * `@medplum/core` reads `WebSocket.CLOSING` when it loads, and Node 20 has no global WebSocket without
 * `--experimental-websocket`. Importing this module first gives it `ws`'s implementation (Node 22+ keeps its own).
 * Every module that loads a Medplum runtime package imports this one before it.
 */
import { WebSocket as NodeWebSocket } from 'ws';

const scope = globalThis as { WebSocket?: unknown };
scope.WebSocket ??= NodeWebSocket;
