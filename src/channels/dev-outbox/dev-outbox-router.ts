/**
 * `/dev/outbox` (demo mode only): the text-channel messages the product "sent", newest first, a form to play a
 * patient writing in by SMS, WhatsApp or Messenger, and one to start an automated message (as a reminder would), to
 * see opt-outs, quiet hours and messaging windows at work. Never mounted in production: it shows message contents.
 */
import crypto from 'node:crypto';
import express, { Router } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { IngestService } from '../../conversation/ingest-service';
import type { AutomatedMessage } from '../automated-message';
import type { Database } from '../../db/schema';
import { ValidationError } from '../../errors';
import type { KeyRing } from '../../phi/key-ring';
import { escapeHtml } from '../../web/html-escape';

export interface DevOutboxDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly ingest: Pick<IngestService, 'acceptFrom'>;
  readonly practiceId: () => string;
  readonly queueAutomated: (message: AutomatedMessage) => Promise<number>;
}

const inboundFormSchema = z.object({
  channel: z.enum(['sms', 'whatsapp', 'messenger']),
  from: z.string().trim().min(3, 'from: enter a phone number or Messenger id').max(64),
  text: z.string().trim().min(1, 'text: enter a message').max(1600),
});

const TEXT_CHANNELS = ['sms', 'whatsapp', 'messenger'] as const;

export function createDevOutboxRouter(deps: DevOutboxDeps): Router {
  const router = Router();
  router.get('/dev/outbox', async (_req, res) => {
    res.set({ 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", 'Cache-Control': 'no-store' });
    res.type('html').send(renderPage(await recentMessages(deps)));
  });
  router.post('/dev/outbox/inbound', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const parsed = inboundFormSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'invalid form');
    const { channel, from, text } = parsed.data;
    await deps.ingest.acceptFrom({ practiceId: deps.practiceId(), channel, address: addressOn(channel, from), providerMessageId: `dev-${crypto.randomUUID()}`, text });
    res.redirect(303, '/dev/outbox');
  });
  router.post('/dev/outbox/automated', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const parsed = inboundFormSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'invalid form');
    const { channel, from: to, text } = parsed.data;
    await deps.queueAutomated({ practiceId: deps.practiceId(), channel, address: addressOn(channel, to), text, lang: 'en' });
    res.redirect(303, '/dev/outbox');
  });
  return router;
}

function addressOn(channel: (typeof TEXT_CHANNELS)[number], address: string): string {
  return channel === 'whatsapp' && !address.startsWith('whatsapp:') ? `whatsapp:${address}` : address;
}

interface OutboxLine {
  readonly direction: 'in' | 'out';
  readonly channel: string;
  readonly address: string;
  readonly text: string;
  readonly status: string;
  readonly at: Date;
}

async function recentMessages({ db, keyRing }: DevOutboxDeps): Promise<OutboxLine[]> {
  const outbound = await db
    .selectFrom('outbound_messages')
    .innerJoin('conversations', 'conversations.id', 'outbound_messages.conversation_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['outbound_messages.channel', 'contacts.address_enc', 'outbound_messages.body_enc', 'outbound_messages.status', 'outbound_messages.created_at'])
    .where('outbound_messages.channel', 'in', [...TEXT_CHANNELS])
    .orderBy('outbound_messages.id', 'desc')
    .limit(100)
    .execute();
  const inbound = await db
    .selectFrom('inbound_messages')
    .innerJoin('conversations', 'conversations.id', 'inbound_messages.conversation_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['inbound_messages.channel', 'contacts.address_enc', 'inbound_messages.body_enc', 'inbound_messages.processed_at', 'inbound_messages.received_at'])
    .where('inbound_messages.channel', 'in', [...TEXT_CHANNELS])
    .orderBy('inbound_messages.id', 'desc')
    .limit(100)
    .execute();
  const decrypt = (value: string | null) => (value === null ? '' : keyRing.decrypt(value));
  return [
    ...outbound.map((row) => ({ direction: 'out' as const, channel: row.channel, address: decrypt(row.address_enc), text: decrypt(row.body_enc), status: row.status, at: row.created_at })),
    ...inbound.map((row) => ({
      direction: 'in' as const,
      channel: row.channel,
      address: decrypt(row.address_enc),
      text: decrypt(row.body_enc),
      status: row.processed_at ? 'processed' : 'waiting',
      at: row.received_at,
    })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
}

function renderPage(lines: readonly OutboxLine[]): string {
  const rows = lines
    .map(
      (line) =>
        `<tr><td>${line.at.toISOString().slice(11, 19)}</td><td>${line.direction === 'in' ? 'patient → us' : 'us → patient'}</td><td>${escapeHtml(line.channel)}</td><td>${escapeHtml(line.address)}</td><td>${escapeHtml(line.text)}</td><td>${escapeHtml(line.status)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev outbox</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d5dbe1;padding:6px 8px;text-align:left;vertical-align:top}form{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin:16px 0}label{display:flex;flex-direction:column;font-size:.9rem}</style></head>
<body><main><h1>Dev outbox</h1><p>Messages to SMS, WhatsApp and Messenger go here when no provider credentials are configured (demo mode only). Reload to see replies.</p>
<form method="post" action="/dev/outbox/inbound"><label>Channel<select name="channel"><option value="sms">SMS</option><option value="whatsapp">WhatsApp</option><option value="messenger">Messenger</option></select></label>
<label>From<input name="from" value="+15555550123" required></label><label>Message<input name="text" size="40" required></label><button type="submit">Send as patient</button></form>
<form method="post" action="/dev/outbox/automated"><label>Channel<select name="channel"><option value="sms">SMS</option><option value="whatsapp">WhatsApp</option><option value="messenger">Messenger</option></select></label>
<label>To<input name="from" value="+15555550123" required></label><label>Automated message (no PHI)<input name="text" size="40" required></label><button type="submit">Send as the practice</button></form>
<table><thead><tr><th>Time (UTC)</th><th>Direction</th><th>Channel</th><th>Address</th><th>Text</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table></main></body></html>`;
}
