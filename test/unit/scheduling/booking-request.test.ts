import {
  asksForOtherOptions,
  chosenVisitType,
  pickedOption,
  practitionerWish,
  speaksOfExistingVisit,
  visitTypeIn,
} from '../../../src/scheduling/booking-request';

test('visit types are read from English and Spanish words, a tapped option, or its number', () => {
  expect(visitTypeIn('I need a checkup next Tuesday afternoon')).toBe('annual-physical');
  expect(visitTypeIn('necesito un chequeo el martes')).toBe('annual-physical');
  expect(visitTypeIn('my son has a fever')).toBe('sick-visit');
  expect(visitTypeIn('una cita de seguimiento')).toBe('follow-up');
  expect(visitTypeIn('book me in on Friday')).toBeUndefined();
  expect(chosenVisitType('Sick visit', 'visit:sick-visit')).toBe('sick-visit');
  expect(chosenVisitType('3', undefined)).toBe('follow-up');
  expect(chosenVisitType('4', undefined)).toBeUndefined();
});

test('a wished-for practitioner is the family name after Dr / doctora', () => {
  expect(practitionerWish('can I see Dr. Chen on Monday?')).toBe('chen');
  expect(practitionerWish('con la doctora Natarajan')).toBe('natarajan');
  expect(practitionerWish('any doctor is fine')).toBeUndefined();
});

test('only words about an existing visit make it a change, in either language', () => {
  expect(speaksOfExistingVisit('¿Puedo cambiar mi cita del viernes?')).toBe(true);
  expect(speaksOfExistingVisit("I can't make it Tuesday")).toBe(true);
  expect(speaksOfExistingVisit('move my appointment to the afternoon')).toBe(true);
  expect(speaksOfExistingVisit('I need a checkup next Tuesday afternoon')).toBe(false);
});

test('options are picked by payload or number within the offer; other wishes are recognised', () => {
  expect(pickedOption('Tue, Nov 24, 1:00 PM', 'slot:2', 'slot', 3)).toBe(1);
  expect(pickedOption('3', undefined, 'slot', 3)).toBe(2);
  expect(pickedOption('4', undefined, 'slot', 3)).toBeUndefined();
  expect(pickedOption('option 1', undefined, 'slot', 3)).toBe(0);
  expect(asksForOtherOptions('None of these', 'slot:none')).toBe(true);
  expect(asksForOtherOptions('otros horarios por favor', undefined)).toBe(true);
  expect(asksForOtherOptions('yes', undefined)).toBe(false);
});
