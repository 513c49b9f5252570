/**
 * Routes of the patient-facing web front end: the demo practice site (`/`), the embed loader (`/widget.js`) and
 * the chat frame (`/chat`, `/chat.js`, `/chat.css`). Browser code is bundled once, in memory, when the router is
 * created. The chat itself talks to the `/webchat` WebSocket, which is served elsewhere.
 */
import { Router, type Response } from 'express';
import { buildChatContentSecurityPolicy, renderChatPage } from './chat-page';
import { renderDemoSite } from './site/demo-site';
import { bundleWebAssets } from './web-assets';

export interface WebRouterOptions {
  practiceName: string;
  practicePhone: string;
  practiceAddress: string;
  /** Opening hours as [days, hours] rows for the demo site. */
  openingHours: ReadonlyArray<readonly [days: string, hours: string]>;
  /** Extra origins allowed to embed the chat frame, besides 'self' (e.g. `https://www.example-clinic.com`). */
  frameAncestors: string[];
}

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  javascript: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

function sendAsset(response: Response, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response
    .set({ 'Content-Type': contentType, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', ...headers })
    .send(body);
}

/** Builds the web front end's router; rejects when a frame ancestor is not an origin or bundling fails. */
export async function createWebRouter(options: WebRouterOptions): Promise<Router> {
  const chatPolicy = buildChatContentSecurityPolicy(options.frameAncestors);
  const assets = await bundleWebAssets(options.practiceName);
  const demoSite = renderDemoSite(options);
  const chatPage = renderChatPage(assets.chatPageTemplate, options.practiceName);

  const router = Router();
  router.get('/', (_request, response) => {
    sendAsset(response, CONTENT_TYPES.html, demoSite.html, {
      'Content-Security-Policy': demoSite.contentSecurityPolicy,
    });
  });
  router.get('/widget.js', (_request, response) => {
    // Practice sites on other origins load this script, so it must not be limited to same-origin use.
    sendAsset(response, CONTENT_TYPES.javascript, assets.widgetScript, {
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
  });
  router.get('/chat', (_request, response) => {
    sendAsset(response, CONTENT_TYPES.html, chatPage, { 'Content-Security-Policy': chatPolicy });
  });
  router.get('/chat.js', (_request, response) => sendAsset(response, CONTENT_TYPES.javascript, assets.chatScript));
  router.get('/chat.css', (_request, response) => sendAsset(response, CONTENT_TYPES.css, assets.chatStyles));
  router.get('/inbox/assets/inbox.js', (_request, response) =>
    sendAsset(response, CONTENT_TYPES.javascript, assets.inboxScript),
  );
  router.get('/inbox/assets/inbox.css', (_request, response) =>
    sendAsset(response, CONTENT_TYPES.css, assets.inboxStyles),
  );
  return router;
}
