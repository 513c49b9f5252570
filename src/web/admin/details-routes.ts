/**
 * /admin/practice, /admin/locations/:id and /admin/faq: the practice's and locations' details, holidays and FAQ
 * answers, saved to the draft. A form that does not fit the schema comes back with the reasons.
 */
import express, { type Request, type Response, Router } from 'express';
import type { ContentBundle } from '../../content/content-bundle';
import type { ContentReleases, Editor } from '../../content/content-releases';
import { parseOpeningHours } from '../../content/opening-hours-text';
import { AppError } from '../../errors';
import type { InboxSessions } from '../inbox/inbox-session';
import { faqPage, locationPage, practicePage } from './details-views';
import { editorRouteKit, savedNotice, sendPage } from './editor-access';

export interface DetailsRoutesDeps {
  readonly sessions: InboxSessions;
  readonly releases: ContentReleases;
  readonly idleMs: number;
}

const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

type Fields = (name: string) => string;

function fieldsOf(request: Request): Fields {
  const body = request.body as Record<string, unknown>;
  return (name) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
const optional = (value: string) => (value === '' ? undefined : value);

/** The FAQ topics the flows answer (answer-faq steps), and any the practice already wrote. */
export function faqTopics(content: ContentBundle): string[] {
  const fromFlows = content.flows.flatMap((flow) =>
    flow.steps.flatMap((step) =>
      'action' in step && step.action === 'answer-faq' && typeof step.params?.topic === 'string'
        ? [step.params.topic]
        : [],
    ),
  );
  return [...new Set([...fromFlows, ...content.faq.map((entry) => entry.topic)])].sort();
}

export function createDetailsRoutes(deps: DetailsRoutesDeps): Router {
  const { sessions, releases } = deps;
  const router = Router();
  const { page, action, editorOf } = editorRouteKit(sessions, deps.idleMs);
  const html = sendPage;

  /** Saves `change`; on a refused edit shows `render` again with the reason. */
  const save = async (
    response: Response,
    editor: Editor,
    change: (content: ContentBundle) => ContentBundle,
    render: (content: ContentBundle, error: string) => string,
    back: string,
  ) => {
    try {
      await releases.edit(editor, change);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return html(response, render(await releases.working(editor.practiceId), error.message), error.status);
    }
    response.redirect(303, `${back}?done=saved`);
  };

  router.get('/admin/practice', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    html(
      response,
      practicePage(viewer, await releases.working(editor.practiceId), {
        notice: savedNotice(request),
      }),
    );
  });
  router.post('/admin/practice', form, action, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const field = fieldsOf(request);
    await save(
      response,
      editor,
      (content) => ({ ...content, practice: practiceFrom(field, content) }),
      (content, error) => practicePage(viewer, content, { error }),
      '/admin/practice',
    );
  });

  router.get('/admin/locations/:id', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const location = locationOf(await releases.working(editor.practiceId), String(request.params.id));
    html(response, locationPage(viewer, location, { notice: savedNotice(request) }));
  });
  router.post('/admin/locations/:id', form, action, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const id = String(request.params.id);
    const field = fieldsOf(request);
    await save(
      response,
      editor,
      (content) => ({
        ...content,
        locations: content.locations.map((location) => (location.id === id ? locationFrom(field, location) : location)),
      }),
      (content, error) => locationPage(viewer, locationOf(content, id), { error }),
      `/admin/locations/${encodeURIComponent(id)}`,
    );
  });

  router.get('/admin/faq', page, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const content = await releases.working(editor.practiceId);
    html(response, faqPage(viewer, content, faqTopics(content), { notice: savedNotice(request) }));
  });
  router.post('/admin/faq', form, action, async (request, response) => {
    const { viewer, editor } = editorOf(response);
    const field = fieldsOf(request);
    await save(
      response,
      editor,
      (content) => ({
        ...content,
        faq: faqTopics(content)
          .map((topic) => ({ topic, en: optional(field(`faq.${topic}.en`)), es: optional(field(`faq.${topic}.es`)) }))
          .filter((entry) => entry.en !== undefined || entry.es !== undefined),
      }),
      (content, error) => faqPage(viewer, content, faqTopics(content), { error }),
      '/admin/faq',
    );
  });
  return router;
}

function practiceFrom(field: Fields, content: ContentBundle): ContentBundle['practice'] {
  const current = content.practice.details;
  return {
    name: field('name'),
    details: {
      ...current,
      phone: field('phone'),
      fax: optional(field('fax')),
      email: optional(field('email')),
      website: optional(field('website')),
      billing: {
        phone: field('billing.phone'),
        email: optional(field('billing.email')),
        hours: { en: field('billing.hours.en'), es: field('billing.hours.es') },
      },
      insurancePlans: lines(field('insurancePlans')).map((line) => {
        const [name, aliases = ''] = line.split(':');
        return {
          name: name!.trim(),
          aliases: aliases
            .split(',')
            .map((alias) => alias.trim().toLowerCase())
            .filter(Boolean),
        };
      }),
      services: { en: lines(field('services.en')), es: lines(field('services.es')) },
      newPatients: {
        accepting: field('newPatients.accepting') === 'yes',
        note: { en: field('newPatients.note.en'), es: field('newPatients.note.es') },
      },
    },
  };
}

function locationFrom(field: Fields, location: ContentBundle['locations'][number]): ContentBundle['locations'][number] {
  const holidays = [];
  for (let index = 0; index <= location.details.holidays.length; index++) {
    const date = field(`holiday.${index}.date`);
    if (date === '') continue;
    const name = { en: field(`holiday.${index}.en`), es: field(`holiday.${index}.es`) };
    holidays.push({ date, name, hours: parseOpeningHours(field(`holiday.${index}.hours`), `Holiday ${date}`) });
  }
  return {
    ...location,
    name: field('name'),
    details: {
      ...location.details,
      address: { line1: field('line1'), city: field('city'), state: field('state'), postalCode: field('postalCode') },
      phone: field('phone'),
      fax: optional(field('fax')),
      directions: { en: field('directions.en'), es: field('directions.es') },
      parking: { en: field('parking.en'), es: field('parking.es') },
      holidays: holidays.sort((a, b) => (a.date < b.date ? -1 : 1)),
    },
  };
}

function locationOf(content: ContentBundle, id: string) {
  const location = content.locations.find((candidate) => candidate.id === id);
  if (!location) throw new AppError('not_found', 404, 'no such location');
  return location;
}
