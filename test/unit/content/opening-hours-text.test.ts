/** Opening hours typed by a manager: the forms people write, what is refused (with the reason), and the way back. */
import { formatOpeningHours, parseOpeningHours } from '../../../src/content/opening-hours-text';

test.each([
  ['9am–12pm', [{ opens: '09:00', closes: '12:00' }]],
  ['9am-12pm', [{ opens: '09:00', closes: '12:00' }]],
  ['8:00 AM to 5:00 PM', [{ opens: '08:00', closes: '17:00' }]],
  ['08:30-17:00', [{ opens: '08:30', closes: '17:00' }]],
  [
    '1pm-5pm, 8am-12pm',
    [
      { opens: '08:00', closes: '12:00' },
      { opens: '13:00', closes: '17:00' },
    ],
  ],
  [
    '8am-12pm and 1pm-5pm',
    [
      { opens: '08:00', closes: '12:00' },
      { opens: '13:00', closes: '17:00' },
    ],
  ],
  ['closed', []],
  ['', []],
])('"%s" reads as %j', (text, periods) => {
  expect(parseOpeningHours(text, 'Saturday')).toEqual(periods);
});

test.each([
  ['9-12', 'Saturday: "9-12" is not opening hours like "9am–12pm" or "closed"'],
  ['mornings', 'Saturday: "mornings" is not opening hours like "9am–12pm" or "closed"'],
  [
    '9am-12pm plus some evenings',
    'Saturday: "9am-12pm plus some evenings" is not opening hours like "9am–12pm" or "closed"',
  ],
  ['5pm-9am', 'Saturday: "5pm-9am" closes before it opens'],
])('"%s" is refused: %s', (text, message) => {
  expect(() => parseOpeningHours(text, 'Saturday')).toThrow(message);
});

test('formats back to what a manager would type, and reads that again unchanged', () => {
  const periods = [
    { opens: '08:00', closes: '12:00' },
    { opens: '13:30', closes: '17:00' },
  ];
  expect(formatOpeningHours(periods)).toBe('8am–12pm, 1:30pm–5pm');
  expect(parseOpeningHours(formatOpeningHours(periods), 'Monday')).toEqual(periods);
  expect(formatOpeningHours([])).toBe('closed');
  expect(formatOpeningHours([{ opens: '00:00', closes: '12:00' }])).toBe('12am–12pm');
});
