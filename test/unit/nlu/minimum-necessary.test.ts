/** What leaves for a third-party NLU: identifiers masked, the meaning (and appointment dates and times) kept. */
import { maskForThirdParty } from '../../../src/nlu/minimum-necessary';

const NOW = new Date('2026-11-23T15:00:00Z');

test.each([
  ['my number is 555-201-3344', 'en', 'my number is [phone]', ['phone']],
  ['call me at (555) 201-3344 or +1 555 201 3344', 'en', 'call me at [phone] or [phone]', ['phone', 'phone']],
  ['my email is test.patient@example.com', 'en', 'my email is [email]', ['email']],
  ['my date of birth is 01/02/1980', 'en', 'my date of birth is [date]', ['birth_date']],
  ['born January 2, 1980, need a refill', 'en', 'born [date], need a refill', ['birth_date']],
  ['nací el 2 de enero de 1980', 'es', 'nací el [date]', ['birth_date']],
  ['my member id is XYZ123456789', 'en', 'my member id is [number]', ['number']],
  ['mi número es 555 201 3344', 'es', 'mi número es [phone]', ['phone']],
] as const)('"%s" (%s) → "%s"', (text, lang, masked, kinds) => {
  expect(maskForThirdParty(text, lang, NOW)).toEqual({ text: masked, masked: kinds });
});

test.each([
  ['can I come in next tuesday at 4?', 'en'],
  ['book me on December 3 at 2:30pm', 'en'],
  ['quiero cancelar mi cita del 12/03', 'es'],
  ['what are your hours?', 'en'],
  ['do you take Aetna plan 80/20?', 'en'],
] as const)('"%s" leaves unchanged: nothing in it identifies the patient', (text, lang) => {
  expect(maskForThirdParty(text, lang, NOW)).toEqual({ text, masked: [] });
});

test('a record number is masked even when it reads like a phone number', () => {
  const { text, masked } = maskForThirdParty('MRN 00123456 wants his results', 'en', NOW);
  expect(text).toMatch(/^MRN \[(number|phone)\] wants his results$/);
  expect(masked).toHaveLength(1);
});
