/**
 * Our Botkit/botbuilder adapter. It does not talk to any channel: what the bot says during a turn is collected as
 * drafts on the turn, and the turn processor writes them to the outbox in the same transaction as the dialog state.
 * Channels deliver from the outbox.
 */
import crypto from 'node:crypto';
import { type Activity, BotAdapter, type ConversationReference, type ResourceResponse, TurnContext } from 'botbuilder';
import type { QuickReply } from './outbound-draft';
import { type TurnInfo, attachTurnInfo, turnInfoOf } from './turn-info';

export class ConciergeAdapter extends BotAdapter {
  /** Botkit reads this when spawning workers. */
  readonly name = 'concierge-adapter';

  async processTurn(activity: Partial<Activity>, info: TurnInfo, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    attachTurnInfo(context, info);
    await this.runMiddleware(context, logic);
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const info = turnInfoOf(context);
    for (const activity of activities) {
      if (activity.type !== 'message' || !activity.text) continue;
      const channelData = (activity.channelData ?? {}) as { quick_replies?: QuickReply[]; classification?: 'none' | 'phi' };
      info.drafts.push({
        text: activity.text,
        quickReplies: (channelData.quick_replies ?? []).map(({ title, payload }) => ({ title, payload })),
        classification: channelData.classification ?? 'none',
      });
    }
    return activities.map(() => ({ id: crypto.randomUUID() }));
  }

  override async updateActivity(): Promise<void> {
    throw new Error('updating a sent message is not supported');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('deleting a sent message is not supported');
  }

  /** Proactive messages go through the outbox, never through a Botkit turn. */
  override async continueConversation(_reference: Partial<ConversationReference>): Promise<void> {
    throw new Error('proactive messages are sent through the outbox');
  }
}
