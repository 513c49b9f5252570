/**
 * Drafts, publishing and history of a practice's content. Every edit goes to the one draft (made from the published
 * release when there is none), under an edit lock so two managers do not overwrite each other; publishing makes the
 * draft live in one transaction (the release becomes the next version, the live tables are rewritten) and is
 * audited; a rollback publishes an earlier version's content again as a new version, so history only grows.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import { AppError, ValidationError } from '../errors';
import type { ActionRegistry } from '../flows/action-registry';
import { type ContentBundle, canonicalBundle, parseBundle } from './content-bundle';
import { publishProblems, shapeProblems } from './content-problems';
import { writeLiveContent } from './live-content';

/** How long an edit keeps the draft to its editor; each edit renews it. */
export const EDIT_LOCK_MS = 15 * 60_000;

export interface Editor {
  readonly id: string;
  readonly name: string;
  readonly practiceId: string;
}

export class DraftLockedError extends AppError {
  constructor(
    readonly holder: string,
    readonly until: Date,
  ) {
    super('draft_locked', 409, `${holder} is editing the draft (until ${until.toISOString().slice(11, 16)} UTC)`);
  }
}

export class PublishProblemsError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super('cannot_publish', 400, `The draft cannot be published:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

export interface Draft {
  readonly content: ContentBundle;
  readonly basedOn: number | null;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
  readonly lock: { readonly holderId: string; readonly holder: string; readonly until: Date } | null;
}

export interface ReleaseSummary {
  readonly version: number;
  readonly status: 'published' | 'archived';
  readonly note: string | null;
  readonly publishedAt: Date;
  readonly publishedBy: string | null;
}

interface DraftRow {
  readonly id: number;
  readonly content: unknown;
  readonly based_on: number | null;
}

export interface PublishResult {
  readonly version: number;
  readonly changedFlows: readonly string[];
}

export class ContentReleases {
  constructor(
    private readonly deps: {
      readonly db: Kysely<Database>;
      readonly audit: AuditLog;
      readonly actions: ActionRegistry;
      readonly now: () => Date;
    },
  ) {}

  /** The actions flows may run: what the flow editor offers and checks outcomes against. */
  get actions(): ActionRegistry {
    return this.deps.actions;
  }

  private afterRelease?: (version: number) => Promise<void>;

  /** What makes a committed release take effect in every process (the content runtime). */
  onRelease(handler: (version: number) => Promise<void>): void {
    this.afterRelease = handler;
  }

  async published(practiceId: string): Promise<{ version: number; content: ContentBundle } | undefined> {
    const row = await this.deps.db
      .selectFrom('content_releases')
      .select(['version', 'content'])
      .where('practice_id', '=', practiceId)
      .where('status', '=', 'published')
      .executeTakeFirst();
    return row ? { version: row.version!, content: parseBundle(row.content) } : undefined;
  }

  async version(practiceId: string, version: number): Promise<ContentBundle> {
    const row = await this.deps.db
      .selectFrom('content_releases')
      .select('content')
      .where('practice_id', '=', practiceId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 404, `there is no version ${version}`);
    return parseBundle(row.content);
  }

  /** The practice's first release, from what is live now (a new practice, or one from before releases existed). */
  async ensurePublished(practiceId: string, snapshot: () => Promise<ContentBundle>): Promise<void> {
    if (await this.published(practiceId)) return;
    const content = canonicalBundle(await snapshot());
    await this.deps.db
      .insertInto('content_releases')
      .values({
        practice_id: practiceId,
        version: 1,
        status: 'published',
        content: JSON.stringify(content),
        note: 'Initial content',
        published_at: this.deps.now(),
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }

  async draft(practiceId: string): Promise<Draft | undefined> {
    const row = await this.deps.db
      .selectFrom('content_releases as r')
      .leftJoin('staff_users as e', 'e.id', 'r.updated_by')
      .leftJoin('staff_users as l', 'l.id', 'r.locked_by')
      .select(['r.content', 'r.based_on', 'r.updated_at', 'r.locked_by', 'r.lock_expires_at'])
      .select(['e.name as editor', 'l.name as holder'])
      .where('r.practice_id', '=', practiceId)
      .where('r.status', '=', 'draft')
      .executeTakeFirst();
    if (!row) return undefined;
    const locked = row.locked_by !== null && row.lock_expires_at !== null && row.lock_expires_at > this.deps.now();
    return {
      content: parseBundle(row.content),
      basedOn: row.based_on,
      updatedAt: row.updated_at,
      updatedBy: row.editor,
      lock: locked ? { holderId: row.locked_by!, holder: row.holder ?? 'someone', until: row.lock_expires_at! } : null,
    };
  }

  /** The draft's content, or the published content when there is no draft yet. */
  async working(practiceId: string): Promise<ContentBundle> {
    const draft = await this.draft(practiceId);
    if (draft) return draft.content;
    const published = await this.published(practiceId);
    if (!published) throw new AppError('not_found', 404, 'this practice has no content yet');
    return published.content;
  }

  /**
   * Applies one edit to the draft (made from the published release if needed) under the editor's lock. The result
   * must have the right shape; references between parts are checked at publish.
   */
  async edit(editor: Editor, change: (content: ContentBundle) => ContentBundle): Promise<ContentBundle> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.deps.now();
      const row = await this.draftForEdit(trx, editor, now);
      const next = change(parseBundle(row.content));
      const problems = shapeProblems(next);
      if (problems.length > 0) throw new ValidationError(problems.join('\n'));
      const content = parseBundle(next);
      await trx
        .updateTable('content_releases')
        .set({
          content: JSON.stringify(content),
          updated_by: editor.id,
          updated_at: now,
          locked_by: editor.id,
          lock_expires_at: new Date(now.getTime() + EDIT_LOCK_MS),
        })
        .where('id', '=', row.id)
        .execute();
      return content;
    });
  }

  /** Lets go of the lock (the editor is done, or hands over). */
  async unlock(editor: Editor): Promise<void> {
    await this.deps.db
      .updateTable('content_releases')
      .set({ locked_by: null, lock_expires_at: null })
      .where('practice_id', '=', editor.practiceId)
      .where('status', '=', 'draft')
      .where('locked_by', '=', editor.id)
      .execute();
  }

  async discard(editor: Editor): Promise<void> {
    await this.deps.db.transaction().execute(async (trx) => {
      const row = await this.lockedDraft(trx, editor, this.deps.now());
      if (!row) return;
      await trx.deleteFrom('content_releases').where('id', '=', row.id).execute();
      await this.deps.audit.append(trx, { actor: `staff:${editor.id}`, action: 'content.draft_discarded' });
    });
  }

  /** Problems that would stop the draft from being published (none: it can go). */
  async draftProblems(practiceId: string): Promise<string[]> {
    const draft = await this.draft(practiceId);
    return draft ? publishProblems(draft.content, this.deps.actions) : [];
  }

  /** Makes the draft live, atomically. */
  async publish(editor: Editor, note: string): Promise<PublishResult> {
    return this.announced(async (trx) => {
      const now = this.deps.now();
      const row = await this.lockedDraft(trx, editor, now);
      if (!row) throw new ValidationError('there is no draft to publish');
      const content = parseBundle(row.content);
      const problems = publishProblems(content, this.deps.actions);
      if (problems.length > 0) throw new PublishProblemsError(problems);
      const current = await this.currentVersion(trx, editor.practiceId);
      if (row.based_on !== null && current !== null && row.based_on !== current) {
        throw new ValidationError(
          `version ${current} was published after this draft was started from version ${row.based_on}: discard the draft and edit again`,
        );
      }
      return this.release(trx, editor, { content, note, draftId: row.id, action: 'content.published' });
    });
  }

  /** Publishes an earlier version's content again, as the next version. */
  async rollback(editor: Editor, version: number): Promise<PublishResult> {
    const content = await this.version(editor.practiceId, version);
    return this.announced(async (trx) => {
      const current = await this.currentVersion(trx, editor.practiceId);
      if (current === version) throw new ValidationError(`version ${version} is already the published one`);
      return this.release(trx, editor, {
        content,
        note: `Rollback to version ${version}`,
        action: 'content.rolled_back',
        from: version,
      });
    });
  }

  async history(practiceId: string): Promise<ReleaseSummary[]> {
    const rows = await this.deps.db
      .selectFrom('content_releases as r')
      .leftJoin('staff_users as s', 's.id', 'r.published_by')
      .select(['r.version', 'r.status', 'r.note', 'r.published_at', 's.name'])
      .where('r.practice_id', '=', practiceId)
      .where('r.status', '<>', 'draft')
      .orderBy('r.version', 'desc')
      .execute();
    return rows.map((row) => ({
      version: row.version!,
      status: row.status as 'published' | 'archived',
      note: row.note,
      publishedAt: row.published_at!,
      publishedBy: row.name,
    }));
  }

  /** A release from elsewhere (`concierge flows import`), published as the next version. */
  async importRelease(practiceId: string, content: ContentBundle, actor: string): Promise<PublishResult> {
    const problems = publishProblems(content, this.deps.actions);
    if (problems.length > 0) throw new PublishProblemsError(problems);
    return this.announced(async (trx) => {
      await trx
        .deleteFrom('content_releases')
        .where('practice_id', '=', practiceId)
        .where('status', '=', 'draft')
        .execute();
      return this.release(
        trx,
        { id: '', name: actor, practiceId },
        { content, note: 'Imported', action: 'content.imported', actor },
      );
    });
  }

  /** Runs a release in a transaction, then announces it once committed. */
  private async announced(work: (trx: Kysely<Database>) => Promise<PublishResult>): Promise<PublishResult> {
    const result = await this.deps.db.transaction().execute(work);
    await this.afterRelease?.(result.version);
    return result;
  }

  private async release(
    trx: Kysely<Database>,
    editor: Editor,
    input: {
      content: ContentBundle;
      note: string;
      action: string;
      draftId?: number;
      from?: number;
      actor?: string;
    },
  ): Promise<PublishResult> {
    const now = this.deps.now();
    const latest = await trx
      .selectFrom('content_releases')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('practice_id', '=', editor.practiceId)
      .executeTakeFirst();
    const version = Number(latest?.version ?? 0) + 1;
    const staffId = editor.id === '' ? null : editor.id;
    await trx
      .updateTable('content_releases')
      .set({ status: 'archived' })
      .where('practice_id', '=', editor.practiceId)
      .where('status', '=', 'published')
      .execute();
    const values = {
      version,
      status: 'published' as const,
      content: JSON.stringify(input.content),
      note: input.note.trim() === '' ? null : input.note.trim().slice(0, 500),
      published_by: staffId,
      published_at: now,
      updated_at: now,
      locked_by: null,
      lock_expires_at: null,
    };
    if (input.draftId === undefined) {
      await trx
        .insertInto('content_releases')
        .values({ ...values, practice_id: editor.practiceId, created_by: staffId })
        .execute();
    } else {
      await trx.updateTable('content_releases').set(values).where('id', '=', input.draftId).execute();
    }
    const changedFlows = await writeLiveContent(trx, editor.practiceId, input.content, now);
    await this.deps.audit.append(trx, {
      actor: input.actor ?? `staff:${editor.id}`,
      action: input.action,
      details: {
        version,
        flows: changedFlows.join(','),
        ...(input.from === undefined ? {} : { from: input.from }),
      },
    });
    return { version, changedFlows };
  }

  private async currentVersion(trx: Kysely<Database>, practiceId: string): Promise<number | null> {
    const row = await trx
      .selectFrom('content_releases')
      .select('version')
      .where('practice_id', '=', practiceId)
      .where('status', '=', 'published')
      .forUpdate()
      .executeTakeFirst();
    return row?.version ?? null;
  }

  /** The draft row, locked for this transaction, if the editor may take it (its lock is free, lapsed or theirs). */
  private async lockedDraft(trx: Kysely<Database>, editor: Editor, now: Date): Promise<DraftRow | undefined> {
    const row = await trx
      .selectFrom('content_releases as r')
      .leftJoin('staff_users as l', 'l.id', 'r.locked_by')
      .select(['r.id', 'r.content', 'r.based_on', 'r.locked_by', 'r.lock_expires_at', 'l.name'])
      .where('r.practice_id', '=', editor.practiceId)
      .where('r.status', '=', 'draft')
      .forUpdate('r')
      .executeTakeFirst();
    if (row && row.locked_by !== null && row.locked_by !== editor.id && row.lock_expires_at! > now) {
      throw new DraftLockedError(row.name ?? 'someone', row.lock_expires_at!);
    }
    return row;
  }

  /** The editor's draft, made from the published release when there is none. */
  private async draftForEdit(trx: Kysely<Database>, editor: Editor, now: Date): Promise<DraftRow> {
    const existing = await this.lockedDraft(trx, editor, now);
    if (existing) return existing;
    const published = await trx
      .selectFrom('content_releases')
      .select(['content', 'version'])
      .where('practice_id', '=', editor.practiceId)
      .where('status', '=', 'published')
      .executeTakeFirst();
    if (!published) throw new AppError('not_found', 404, 'this practice has no content yet');
    return trx
      .insertInto('content_releases')
      .values({
        practice_id: editor.practiceId,
        status: 'draft',
        content: JSON.stringify(published.content),
        based_on: published.version,
        created_by: editor.id,
        updated_by: editor.id,
      })
      .returning(['id', 'content', 'based_on'])
      .executeTakeFirstOrThrow();
  }
}
