/**
 * Live events of a conversation (a new message is stored, the bot is typing), fanned out over Redis pub/sub so the
 * web process holding a visitor's socket hears about work done by any worker. Events carry ids and seq numbers only.
 */
import type { Redis } from 'ioredis';

export type ConversationEvent =
  | { readonly type: 'message'; readonly conversationId: string; readonly seq: number }
  | { readonly type: 'typing'; readonly conversationId: string; readonly on: boolean }
  /** Something staff see changed: an item opened, moved or closed, a patient wrote to a staff-owned conversation. */
  | { readonly type: 'inbox'; readonly conversationId: string; readonly change: InboxChange };

export type InboxChange = 'opened' | 'updated' | 'message' | 'escalated' | 'closed';

type Listener = (event: ConversationEvent) => void;

export class ConversationEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everything = new Set<Listener>();
  private subscriber?: Redis;

  constructor(
    private readonly publisher: Redis,
    private readonly channel: string,
  ) {}

  async publish(event: ConversationEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  /** Starts listening (web processes only). */
  async start(): Promise<void> {
    this.subscriber = this.publisher.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, raw: string) => this.dispatch(raw));
    await this.subscriber.subscribe(this.channel);
  }

  async stop(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** Calls `listener` for events of one conversation until the returned function is called. */
  subscribe(conversationId: string, listener: Listener): () => void {
    const set = this.listeners.get(conversationId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(conversationId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(conversationId);
    };
  }

  /** Calls `listener` for every event (the staff inbox's live updates) until the returned function is called. */
  subscribeAll(listener: Listener): () => void {
    this.everything.add(listener);
    return () => this.everything.delete(listener);
  }

  private dispatch(raw: string): void {
    let event: ConversationEvent;
    try {
      event = JSON.parse(raw) as ConversationEvent;
    } catch {
      return;
    }
    for (const listener of this.listeners.get(event.conversationId) ?? []) listener(event);
    for (const listener of this.everything) listener(event);
  }
}
