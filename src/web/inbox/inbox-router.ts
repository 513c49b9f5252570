/**
 * The staff inbox at /inbox: builds the inbox services from the app's parts and mounts the login steps and the
 * signed-in pages, and the content editor at /admin (src/web/admin), which shares the login. Errors become a plain page with the right status (a 403 outside one's scope), logged by id only.
 */
import type { ErrorRequestHandler, Router } from 'express';
import { Router as createRouter } from 'express';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../audit/audit-log';
import type { ChannelCapabilities } from '../../channels/channel-sender';
import type { DraftShaper } from '../../channels/draft-shaping';
import type { PhiGate } from '../../consent/phi-gate';
import type { ConversationEvents } from '../../conversation/conversation-events';
import type { ConversationRepository } from '../../conversation/conversation-repository';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { SecureLinks } from '../../identity/secure-links';
import type { PatientDirectory } from '../../identity/patient-directory';
import { CannedResponses } from '../../inbox/canned-responses';
import { ConversationViews } from '../../inbox/conversation-view';
import { InboxQueue } from '../../inbox/inbox-queue';
import { StaffAccounts } from '../../inbox/staff-accounts';
import { StaffAdmin } from '../../inbox/staff-admin';
import { StaffReplies } from '../../inbox/staff-replies';
import { StaffScope } from '../../inbox/staff-scope';
import { StaffSessions } from '../../inbox/staff-sessions';
import { StaffTotp } from '../../inbox/staff-totp';
import type { Logger } from '../../observability/logger';
import type { KeyRing } from '../../phi/key-ring';
import type { PracticeContent } from '../../practice/practice-profile';
import type { SendOutboundJobData } from '../../queues/send-outbound-queue';
import type { UpcomingAppointments } from '../../scheduling/upcoming-appointments';
import { escapeHtml } from '../html-escape';
import type { ContentReleases } from '../../content/content-releases';
import type { PreviewSandbox } from '../../content/preview-sandbox';
import { createContentEditorRoutes } from '../admin/content-editor-routes';
import { createDetailsRoutes } from '../admin/details-routes';
import { createPreviewRoutes } from '../admin/preview-routes';
import { createFlowEditorRoutes } from '../admin/flow-editor-routes';
import { createAdminRoutes } from './admin-routes';
import { INBOX_HEADERS, plainPage } from './inbox-layout';
import { createInboxRoutes } from './inbox-routes';
import { InboxSessions } from './inbox-session';
import { createLoginRoutes } from './login-routes';

export interface InboxRouterDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly gate: PhiGate;
  readonly links: SecureLinks;
  readonly directory: PatientDirectory;
  readonly appointments: UpcomingAppointments;
  readonly repository: ConversationRepository;
  readonly sendQueue: Queue<SendOutboundJobData>;
  readonly events: ConversationEvents;
  readonly logger: Logger;
  readonly practiceId: string;
  readonly practiceName: string;
  readonly practice: (db: Kysely<Database>, practiceId: string) => Promise<PracticeContent>;
  readonly capabilities: (channel: string) => ChannelCapabilities | undefined;
  readonly startTimer: (itemId: number, dueAt: Date | null) => Promise<void>;
  readonly shapeDrafts?: DraftShaper;
  readonly idleMs: number;
  /** What the content editor at /admin edits (signed in through the same login), and its preview sandbox. */
  readonly releases: ContentReleases;
  readonly preview: PreviewSandbox;
  readonly now?: () => Date;
}

export function createInboxRouter(deps: InboxRouterDeps): Router {
  const now = deps.now ?? (() => new Date());
  const { db, keyRing, audit } = deps;
  const sessions = new InboxSessions(db, new StaffSessions(keyRing, { idleMs: deps.idleMs, now }));
  const timeZone = async () => (await deps.practice(db, deps.practiceId)).locations[0]?.timeZone ?? 'UTC';
  const accounts = new StaffAccounts(audit, now);
  const admin = new StaffAdmin({ db, keyRing, audit, accounts, now });
  const router = createRouter();
  router.use(
    createLoginRoutes({
      ...{ db, sessions, practiceId: deps.practiceId, servedOverHttps: deps.links.servedOverHttps },
      idleMinutes: Math.round(deps.idleMs / 60_000),
      accounts,
      totp: new StaffTotp(keyRing, audit, `${deps.practiceName} inbox`, now),
    }),
  );
  router.use(
    createInboxRoutes({
      ...{ db, sessions, events: deps.events, idleMs: deps.idleMs, timeZone, now },
      openFlagCount: (practiceId) => admin.openFlagCount(practiceId),
      queue: new InboxQueue({
        db,
        keyRing,
        audit,
        events: deps.events,
        practice: deps.practice,
        startTimer: deps.startTimer,
        now,
      }),
      views: new ConversationViews({
        ...{ db, keyRing, audit, repository: deps.repository, directory: deps.directory },
        ...{ appointments: deps.appointments, gate: deps.gate, capabilities: deps.capabilities, now },
      }),
      replies: new StaffReplies({
        ...{ db, keyRing, audit, gate: deps.gate, links: deps.links, directory: deps.directory },
        ...{
          repository: deps.repository,
          sendQueue: deps.sendQueue,
          events: deps.events,
          shapeDrafts: deps.shapeDrafts,
          now,
        },
      }),
      scope: new StaffScope({ keyRing, audit, now }),
      canned: new CannedResponses(db, audit),
    }),
  );
  router.use(createAdminRoutes({ sessions, admin, idleMs: deps.idleMs, timeZone }));
  router.use(createContentEditorRoutes({ sessions, releases: deps.releases, idleMs: deps.idleMs }));
  router.use(createDetailsRoutes({ sessions, releases: deps.releases, idleMs: deps.idleMs }));
  router.use(createPreviewRoutes({ sessions, releases: deps.releases, sandbox: deps.preview, idleMs: deps.idleMs }));
  router.use(
    createFlowEditorRoutes({ sessions, releases: deps.releases, actions: deps.releases.actions, idleMs: deps.idleMs }),
  );
  router.use(['/inbox', '/admin'], inboxErrors(deps.logger));
  return router;
}

function inboxErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, next) => {
    if (response.headersSent) return next(error);
    const status = error instanceof AppError ? error.status : 500;
    if (status >= 500) logger.error({ err: error, requestId: response.locals.requestId as unknown }, 'inbox failed');
    const message =
      error instanceof AppError
        ? error.message
        : 'Something went wrong. Reload the page; if it happens again, tell your admin.';
    response
      .set(INBOX_HEADERS)
      .status(status)
      .type('html')
      .send(
        plainPage(
          status === 403 ? 'Not allowed' : 'That did not work',
          `<p role="alert">${escapeHtml(message)}</p><p><a href="/inbox">Back to the inbox</a></p>`,
        ),
      );
  };
}
