import { evaluateNlu, parseCsv, parseLabelledCsv } from '../../../src/nlu/evaluate';
import { LocalNluEngine } from '../../../src/nlu/local-nlu-engine';
import { loadTrainingData } from '../../../src/nlu/training-data';
import { removeAgentExports, writeAgentExport } from './agent-fixture';

afterAll(removeAgentExports);

describe('parseCsv', () => {
  it('reads quoted fields holding commas, escaped quotes and line breaks', () => {
    const csv = 'text,intent,lang\r\n"hi, there",greeting,en\n"she said ""stop""",optout,en\n"two\nlines",none,es\n';
    expect(parseCsv(csv)).toEqual([
      ['text', 'intent', 'lang'],
      ['hi, there', 'greeting', 'en'],
      ['she said "stop"', 'optout', 'en'],
      ['two\nlines', 'none', 'es'],
    ]);
  });

  it('skips blank lines, keeps empty fields and accepts a byte-order mark and no final newline', () => {
    expect(parseCsv('\uFEFFa,b,c\n\n,x,\nlast,row,here')).toEqual([
      ['a', 'b', 'c'],
      ['', 'x', ''],
      ['last', 'row', 'here'],
    ]);
  });

  it('refuses a quote left open', () => {
    expect(() => parseCsv('text\n"never closed')).toThrow(/unclosed quote on line 2/);
  });
});

describe('parseLabelledCsv', () => {
  it('maps columns by header name, in any order', () => {
    expect(parseLabelledCsv('lang,text,intent\nes,"hola, buenas",greeting')).toEqual([
      { text: 'hola, buenas', intent: 'greeting', lang: 'es' },
    ]);
  });

  it('names the line with an unknown language and the missing column', () => {
    expect(() => parseLabelledCsv('text,intent,lang\nhi,greeting,fr')).toThrow(/line 2: lang must be one of en, es/);
    expect(() => parseLabelledCsv('text,lang\nhi,en')).toThrow(/no "intent" column/);
  });
});

describe('evaluateNlu with a tiny agent', () => {
  let engine: LocalNluEngine;

  beforeAll(async () => {
    const dir = await writeAgentExport([
      { name: 'fruit', en: ['apple banana', 'i like apples', 'ripe bananas'], es: ['manzana y platano'] },
      { name: 'vehicle', en: ['car truck', 'i drive a car', 'big trucks'], es: ['coche y camion'] },
      {
        name: 'Default Fallback Intent',
        fallback: true,
        en: ['weather forecast', 'football scores'],
        es: ['el clima'],
      },
    ]);
    engine = new LocalNluEngine({ loadTrainingData: () => loadTrainingData(dir), warmUpEntities: false });
    await engine.train();
  }, 60_000);

  it('counts accuracy per language, precision/recall per intent, rejection and sorted confusions', async () => {
    // Training phrases come back as their own intent, so the expected labels below decide every outcome.
    const csv = [
      'text,intent,lang',
      'apple banana,fruit,en', // right
      'i like apples,vehicle,en', // vehicle -> fruit
      'ripe bananas,vehicle,en', // vehicle -> fruit
      'car truck,fruit,en', // fruit -> vehicle
      'big trucks,vehicle,en', // right
      'weather forecast,none,en', // rejected
      'football scores,fruit,en', // fruit -> none
      'manzana y platano,fruit,es', // right
      'el clima,none,es', // rejected
      'coche y camion,none,es', // none -> vehicle
    ].join('\n');
    const report = await evaluateNlu(engine, csv);

    expect(report.confusions).toEqual([
      ['vehicle', 'fruit', 2],
      ['fruit', 'none', 1],
      ['fruit', 'vehicle', 1],
      ['none', 'vehicle', 1],
    ]);
    expect(report.accuracy).toBeCloseTo(5 / 10);
    expect(report.byLanguage.en).toEqual({ accuracy: 3 / 7, n: 7 });
    expect(report.byLanguage.es).toEqual({ accuracy: 2 / 3, n: 3 });
    expect(report.outOfScope).toEqual({ rejected: 2, n: 3 });
    expect(report.perIntent.fruit).toEqual({ precision: 2 / 4, recall: 2 / 4, n: 4 });
    expect(report.perIntent.vehicle).toEqual({ precision: 1 / 3, recall: 1 / 3, n: 3 });
    expect(report.perIntent.none).toEqual({ precision: 2 / 3, recall: 2 / 3, n: 3 });
  });

  it('parses every line with the language it is labelled with', async () => {
    const languages: string[] = [];
    const spy = {
      name: 'spy',
      train: async () => undefined,
      parse: async (text: string, lang?: 'en' | 'es') => {
        languages.push(`${text}:${lang ?? 'guessed'}`);
        return { intent: 'none', confidence: 1, entities: [], lang: lang ?? 'en' };
      },
    };
    await evaluateNlu(spy, 'text,intent,lang\nhello,greeting,es\nhola,greeting,en');
    expect(languages).toEqual(['hello:es', 'hola:en']);
  });
});
