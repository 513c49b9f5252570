/**
 * Renders a Helm chart the way `helm template` does, for the template subset of helm-template-parser.ts: values.yaml
 * deep-merged with override values (maps merge, lists replace, null removes), `.Release`, `.Chart` (Chart.yaml with
 * Helm's capitalised keys), every non-partial file under templates/ rendered, split into YAML documents and parsed.
 * NOTES.txt is rendered (so it cannot break an install) but returned apart, as Helm does.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  type Expression,
  type ParsedTemplate,
  type Pipeline,
  type TemplateNode,
  parseTemplate,
} from './helm-template-parser';
import { TEMPLATE_FUNCTIONS, isTruthy, printValue } from './helm-template-functions';

export type ValueMap = { [key: string]: unknown };

export interface RenderedManifest {
  /** templates/<file> it came from. */
  readonly source: string;
  readonly document: ValueMap;
}

export interface RenderedChart {
  readonly manifests: readonly RenderedManifest[];
  readonly notes: string;
}

export interface ReleaseOptions {
  readonly name: string;
  readonly namespace: string;
}

export function isValueMap(value: unknown): value is ValueMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's value coalescing: override wins; maps merge key by key; a null override deletes the key. */
export function mergeValues(base: ValueMap, override: ValueMap): ValueMap {
  const merged = new Map(Object.entries(base));
  for (const [key, value] of Object.entries(override)) {
    const current = merged.get(key);
    if (value === null) merged.delete(key);
    else merged.set(key, isValueMap(value) && isValueMap(current) ? mergeValues(current, value) : value);
  }
  return Object.fromEntries(merged);
}

class Scope {
  private readonly variables = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}

  get(name: string): unknown {
    if (this.variables.has(name)) return this.variables.get(name);
    if (this.parent) return this.parent.get(name);
    throw new Error(`undefined variable ${name}`);
  }

  set(name: string, value: unknown): void {
    this.variables.set(name, value);
  }
}

/** Evaluates parsed templates against data; `include` renders a named template from any file of the chart. */
class TemplateEvaluator {
  constructor(private readonly defines: ReadonlyMap<string, readonly TemplateNode[]>) {}

  render(nodes: readonly TemplateNode[], dot: unknown): string {
    const scope = new Scope();
    scope.set('$', dot);
    return this.renderNodes(nodes, dot, scope);
  }

  private renderNodes(nodes: readonly TemplateNode[], dot: unknown, scope: Scope): string {
    return nodes.map((node) => this.renderNode(node, dot, scope)).join('');
  }

  private renderNode(node: TemplateNode, dot: unknown, scope: Scope): string {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'output': {
        const value = this.evaluatePipeline(node.pipeline, dot, scope);
        return node.pipeline.declarations.length > 0 ? '' : printValue(value);
      }
      case 'if': {
        const inner = new Scope(scope);
        const branch = node.branches.find((candidate) =>
          isTruthy(this.evaluatePipeline(candidate.condition, dot, inner)),
        );
        return this.renderNodes(branch ? branch.body : node.otherwise, dot, inner);
      }
      case 'with': {
        const inner = new Scope(scope);
        const value = this.evaluatePipeline(node.pipeline, dot, inner);
        return isTruthy(value)
          ? this.renderNodes(node.body, value, inner)
          : this.renderNodes(node.otherwise, dot, inner);
      }
      case 'range':
        return this.renderRange(node.pipeline, node.body, node.otherwise, dot, scope);
    }
  }

  private renderRange(
    pipeline: Pipeline,
    body: readonly TemplateNode[],
    otherwise: readonly TemplateNode[],
    dot: unknown,
    scope: Scope,
  ): string {
    const collection = this.evaluatePipeline({ ...pipeline, declarations: [] }, dot, scope);
    const entries: [unknown, unknown][] = Array.isArray(collection)
      ? collection.map((item, index) => [index, item])
      : isValueMap(collection)
        ? Object.keys(collection)
            .sort()
            .map((key) => [key, collection[key]])
        : [];
    if (collection !== null && collection !== undefined && !Array.isArray(collection) && !isValueMap(collection))
      throw new Error('range over a value that is neither a list nor a map');
    if (entries.length === 0) return this.renderNodes(otherwise, dot, new Scope(scope));
    const [first, second] = pipeline.declarations;
    return entries
      .map(([key, value]) => {
        const inner = new Scope(scope);
        if (second !== undefined) {
          inner.set(first!, key);
          inner.set(second, value);
        } else if (first !== undefined) inner.set(first, value);
        return this.renderNodes(body, value, inner);
      })
      .join('');
  }

  private evaluatePipeline(pipeline: Pipeline, dot: unknown, scope: Scope): unknown {
    let result: unknown = undefined;
    pipeline.commands.forEach((command, index) => {
      const piped = index === 0 ? [] : [result];
      result = this.evaluateCommand(command.operands, piped, dot, scope);
    });
    const [first, second] = pipeline.declarations;
    if (second !== undefined) throw new Error('two variables are only allowed in range');
    if (first !== undefined) scope.set(first, result);
    return result;
  }

  private evaluateCommand(operands: readonly Expression[], piped: unknown[], dot: unknown, scope: Scope): unknown {
    const [head, ...rest] = operands;
    if (head?.kind !== 'identifier') {
      if (rest.length > 0 || piped.length > 0) throw new Error('only a function can take arguments');
      return this.evaluate(head!, dot, scope);
    }
    if (head.name === 'and' || head.name === 'or') return this.evaluateLogic(head.name, rest, piped, dot, scope);
    const args = [...rest.map((operand) => this.evaluate(operand, dot, scope)), ...piped];
    if (head.name === 'include') return this.include(args);
    const fn = TEMPLATE_FUNCTIONS[head.name];
    if (!fn) throw new Error(`function "${head.name}" is outside the supported subset`);
    return fn(...args);
  }

  /** Go's and/or: evaluate left to right, stop at the first false (and) or true (or) value and return it. */
  private evaluateLogic(
    name: 'and' | 'or',
    operands: readonly Expression[],
    piped: unknown[],
    dot: unknown,
    scope: Scope,
  ): unknown {
    const thunks = [
      ...operands.map((operand) => () => this.evaluate(operand, dot, scope)),
      ...piped.map((v) => () => v),
    ];
    let value: unknown = undefined;
    for (const thunk of thunks) {
      value = thunk();
      if (isTruthy(value) === (name === 'or')) return value;
    }
    return value;
  }

  private include(args: unknown[]): string {
    const [name, data] = args;
    if (typeof name !== 'string') throw new Error('include: the template name must be a string');
    const nodes = this.defines.get(name);
    if (!nodes) throw new Error(`include: no template named "${name}"`);
    return this.render(nodes, data);
  }

  private evaluate(expression: Expression, dot: unknown, scope: Scope): unknown {
    switch (expression.kind) {
      case 'literal':
        return expression.value;
      case 'pipeline':
        return this.evaluatePipeline(expression.pipeline, dot, scope);
      case 'identifier':
        return this.evaluateCommand([expression], [], dot, scope);
      case 'field': {
        const base = expression.base === 'dot' ? dot : scope.get(expression.base.variable);
        return walkFields(base, expression.path);
      }
    }
  }
}

/** `.a.b.c`: a missing last key is nil; reading a field of nil is an error, as in Helm. */
function walkFields(base: unknown, fields: readonly string[]): unknown {
  let value = base;
  for (const [index, field] of fields.entries()) {
    if (!isValueMap(value))
      throw new Error(`nil pointer evaluating .${fields.slice(0, index).join('.')} for field ${field}`);
    value = value[field];
  }
  return value;
}

function readYamlMap(file: string): ValueMap {
  const parsed: unknown = YAML.parse(fs.readFileSync(file, 'utf8'));
  if (!isValueMap(parsed)) throw new Error(`${file} is not a YAML map`);
  return parsed;
}

/** Renders one template text (and the templates it defines) with `data` as dot; for testing the renderer itself. */
export function renderTemplate(source: string, template: string, data: unknown): string {
  const parsed = parseTemplate(source, template);
  return new TemplateEvaluator(parsed.defines).render(parsed.nodes, data);
}

/** Chart.yaml with the capitalised keys templates see (`.Chart.Name`, `.Chart.AppVersion`). */
function chartObject(chartDirectory: string): ValueMap {
  const chart = readYamlMap(path.join(chartDirectory, 'Chart.yaml'));
  return Object.fromEntries(Object.entries(chart).map(([key, value]) => [key[0]!.toUpperCase() + key.slice(1), value]));
}

/** The chart's own values.yaml. */
export function chartDefaultValues(chartDirectory: string): ValueMap {
  return readYamlMap(path.join(chartDirectory, 'values.yaml'));
}

/** `helm template <release> <chart> -n <namespace> -f …`: every rendered document, by source file. */
export function renderChart(chartDirectory: string, release: ReleaseOptions, overrides: ValueMap = {}): RenderedChart {
  const templatesDirectory = path.join(chartDirectory, 'templates');
  const files = fs.readdirSync(templatesDirectory).sort();
  const parsed = new Map<string, ParsedTemplate>(
    files.map((file) => [file, parseTemplate(file, fs.readFileSync(path.join(templatesDirectory, file), 'utf8'))]),
  );
  const defines = new Map([...parsed.values()].flatMap((template) => [...template.defines]));
  const evaluator = new TemplateEvaluator(defines);
  const context = {
    Values: mergeValues(chartDefaultValues(chartDirectory), overrides),
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false },
    Chart: chartObject(chartDirectory),
  };
  const manifests: RenderedManifest[] = [];
  let notes = '';
  for (const [file, template] of parsed) {
    if (file.startsWith('_')) continue;
    const output = withSource(file, () => evaluator.render(template.nodes, context));
    if (file === 'NOTES.txt') notes = output;
    else manifests.push(...parseDocuments(`templates/${file}`, output));
  }
  return { manifests, notes };
}

function withSource<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new Error(`templates/${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function parseDocuments(source: string, output: string): RenderedManifest[] {
  return YAML.parseAllDocuments(output).flatMap((document) => {
    if (document.errors.length > 0)
      throw new Error(`${source}: invalid YAML: ${document.errors[0]!.message}\n${output}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return [];
    if (!isValueMap(value)) throw new Error(`${source}: a document is not a map`);
    return [{ source, document: value }];
  });
}
