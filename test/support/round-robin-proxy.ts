/**
 * A layer-4 load balancer for multi-process tests: each TCP connection goes to the next backend in turn and bytes
 * are piped both ways, as a cloud load balancer or a Kubernetes Service does. A WebSocket stays on the backend its
 * connection reached, an HTTP request with `Connection: close` lands on whichever is next.
 */
import net from 'node:net';

export interface RoundRobinProxy {
  readonly port: number;
  /** The backend port each accepted connection went to, in order. */
  readonly routed: readonly number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(port: number, backendPorts: readonly number[]): Promise<RoundRobinProxy> {
  const routed: number[] = [];
  const open = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    const backendPort = backendPorts[next++ % backendPorts.length]!;
    routed.push(backendPort);
    const backend = net.connect(backendPort, '127.0.0.1');
    for (const socket of [client, backend]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      // A reset on one side ends the other, as a real balancer does; never an uncaught error.
      socket.on('error', () => (socket === client ? backend : client).destroy());
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    routed,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
