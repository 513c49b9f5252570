/** The readable diff between releases: named lists matched by name, additions and removals shown as such. */
import type { ContentBundle } from '../../../src/content/content-bundle';
import { diffContent } from '../../../src/content/content-diff';

const base = {
  practice: { name: 'Test Practice', details: { phone: '(555) 010-2000' } },
  locations: [{ id: 'main', name: 'Main Office', timeZone: 'America/New_York', details: { hours: { saturday: [] } } }],
  faq: [{ topic: 'parking', en: 'Park in the lot.' }],
  flows: [
    {
      id: 'greeting',
      triggers: { intents: ['greeting'] },
      steps: [
        { id: 'hello', say: { en: 'Hello!', es: '¡Hola!' } },
        { id: 'bye', end: true },
      ],
    },
  ],
  training: [{ name: 'greeting', fallback: false, phrases: { en: ['hi'], es: ['hola'] } }],
} as unknown as ContentBundle;

test('changes are named by where they are; inserted steps and phrases show as additions only', () => {
  const after = structuredClone(base) as unknown as typeof base & Record<string, never>;
  (after.locations[0]!.details.hours as Record<string, unknown>).saturday = [{ opens: '09:00', closes: '12:00' }];
  (after.flows[0]!.steps as unknown[]).splice(1, 0, { id: 'ask-name', ask: { en: 'Your name?', es: '¿Su nombre?' } });
  after.training[0]!.phrases.en.push('good morning');
  (after.faq as unknown[]).push({ topic: 'fax', en: 'Our fax: (555) 010-2001.' });

  expect(diffContent(base, after)).toEqual([
    {
      where: "Location 'Main Office' › hours › saturday",
      before: '(none)',
      after: '[{"opens":"09:00","closes":"12:00"}]',
    },
    { where: "FAQ 'fax'", before: null, after: '{"topic":"fax","en":"Our fax: (555) 010-2001."}' },
    {
      where: "Flow 'greeting' › step 'ask-name'",
      before: null,
      after: '{"id":"ask-name","ask":{"en":"Your name?","es":"¿Su nombre?"}}',
    },
    { where: "Intent 'greeting' › phrases › en", before: 'hi', after: 'hi\ngood morning' },
  ]);
  expect(diffContent(base, structuredClone(base))).toEqual([]);
});
