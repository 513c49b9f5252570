/**
 * The structured flow editor at /admin/flows (practice managers and admins): every button of a flow's form saves
 * what was typed to the draft through ContentReleases, with the step moved, deleted or added. Shape errors show the
 * form again as typed; broken references between steps are allowed in the draft and listed until they are fixed,
 * because publishing refuses them.
 */
import express, { type Response, Router } from 'express';
import type { ContentBundle } from '../../content/content-bundle';
import type { ContentReleases } from '../../content/content-releases';
import { AppError } from '../../errors';
import type { ActionRegistry } from '../../flows/action-registry';
import type { FlowDefinition } from '../../flows/flow-schema';
import type { InboxSessions } from '../inbox/inbox-session';
import { type ActionCatalog, flowPage, flowsPage } from './flow-editor-views';
import {
  type FormFields,
  applyCommand,
  commandProblem,
  flowFormProblems,
  readCommand,
  readFlowForm,
} from './flow-form';
import { editorRouteKit, savedNotice, sendPage } from './editor-access';

export interface FlowEditorDeps {
  readonly sessions: InboxSessions;
  readonly releases: ContentReleases;
  readonly actions: ActionRegistry;
  readonly idleMs: number;
}

// A long flow's form has a field per text, choice and target: hundreds of them.
const form = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 3000 });

export function createFlowEditorRoutes(deps: FlowEditorDeps): Router {
  const { sessions, releases } = deps;
  const router = Router();
  const { page, action, editorOf } = editorRouteKit(sessions, deps.idleMs);
  const html = sendPage;

  /** The flow page for `flow` (as stored, or as typed), with the draft's publish problems about it. */
  const show = async (
    response: Response,
    flow: FlowDefinition,
    messages: { notice?: string; problems?: readonly string[] } = {},
    status = 200,
  ) => {
    const { viewer, editor } = editorOf(response);
    const content = await releases.working(editor.practiceId);
    const publishProblems = (await releases.draftProblems(editor.practiceId)).filter((problem) =>
      problem.startsWith(`Flow '${flow.id}':`),
    );
    const state = { flow, actions: actionCatalog(content, deps.actions), publishProblems, ...messages };
    html(response, flowPage(viewer, state), status);
  };

  router.get('/admin/flows', page, async (_request, response) => {
    const { viewer, editor } = editorOf(response);
    const content = await releases.working(editor.practiceId);
    html(response, flowsPage(viewer, content.flows));
  });

  router.get('/admin/flows/:id', page, async (request, response) => {
    const { editor } = editorOf(response);
    const flow = flowOf(await releases.working(editor.practiceId), String(request.params.id));
    await show(response, flow, { notice: savedNotice(request) });
  });

  router.post('/admin/flows/:id', form, action, async (request, response) => {
    const { editor } = editorOf(response);
    const stored = flowOf(await releases.working(editor.practiceId), String(request.params.id));
    const fields = request.body as FormFields;
    const typed = readFlowForm(stored.id, fields);
    const command = readCommand(fields, typed.steps.length);
    const refused = commandProblem(typed, command);
    if (refused) return show(response, typed, { problems: [refused] }, 400);
    const flow = applyCommand(typed, command);
    const problems = flowFormProblems(flow);
    // A new say, ask or action step cannot be valid empty: it is shown, unsaved, to be filled in.
    const onlyTheNewStep = problems.every(
      (problem) => command.kind === 'add' && problem.stepIndex === command.position,
    );
    if (problems.length > 0 && onlyTheNewStep && command.kind === 'add')
      return show(response, flow, { notice: `Step '${command.id}' is added below. Fill it in, then save to draft.` });
    if (problems.length > 0) return show(response, flow, { problems: problems.map((problem) => problem.message) }, 400);
    try {
      await releases.edit(editor, (content) => ({
        ...content,
        flows: content.flows.map((candidate) => (candidate.id === flow.id ? flow : candidate)),
      }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return show(response, flow, { problems: error.message.split('\n') }, error.status);
    }
    response.redirect(303, `/admin/flows/${encodeURIComponent(flow.id)}?done=saved${anchorOf(command)}`);
  });
  return router;
}

/** Back at the step a button moved or added, so a keyboard user carries on from there. */
function anchorOf(command: ReturnType<typeof readCommand>): string {
  if (command.kind === 'move') return `#step-${command.index + command.by}`;
  if (command.kind === 'add') return `#step-${command.position}`;
  return '';
}

function flowOf(content: ContentBundle, id: string): FlowDefinition {
  const flow = content.flows.find((candidate) => candidate.id === id);
  if (!flow) throw new AppError('not_found', 404, 'no such flow');
  return flow;
}

/**
 * The actions a step may choose: those the practice's flows use, as the registry declares them (the registry does
 * not list its actions; every product action is used by a default flow).
 */
function actionCatalog(content: ContentBundle, actions: ActionRegistry): ActionCatalog {
  const names = new Set(
    content.flows.flatMap((flow) => flow.steps.flatMap((step) => ('action' in step ? [step.action] : []))),
  );
  const catalog = new Map<string, readonly string[]>();
  for (const name of names) {
    const registered = actions.get(name);
    if (registered) catalog.set(name, registered.outcomes);
  }
  return catalog;
}
