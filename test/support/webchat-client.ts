/** A web chat client speaking the real protocol over a real socket, for integration and end-to-end tests. */
import WebSocket from 'ws';
import { waitFor } from './wait-for';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export class WebchatTestClient {
  readonly frames: Frame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }

  static async connect(url: string): Promise<WebchatTestClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WebchatTestClient(socket);
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  send(frame: Frame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  async hello(token?: string, lastSeq = 0, lang?: 'en' | 'es'): Promise<Frame> {
    this.send({ type: 'hello', lastSeq, ...(token ? { token } : {}), ...(lang ? { lang } : {}) });
    return this.next((frame) => frame.type === 'welcome' || frame.type === 'error');
  }

  /** Waits for the first frame (already received or to come) matching `predicate`. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 15_000): Promise<Frame> {
    return waitFor(() => this.frames.find(predicate), timeoutMs, 'a matching frame');
  }

  botMessages(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'message' && frame.role === 'bot');
  }

  async waitForBotMessages(count: number, timeoutMs = 15_000): Promise<Frame[]> {
    return waitFor(() => (this.botMessages().length >= count ? this.botMessages() : undefined), timeoutMs, `${count} bot messages`);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.socket.close();
  }
}
