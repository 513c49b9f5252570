/**
 * Parses the subset of Go's text/template that the Clinic Concierge Helm chart uses, so the chart can be rendered and
 * checked where no Helm binary can be installed (Debian has no package, npm ships none). Anything outside the subset
 * is a parse error, never silently ignored: a template that uses more than this must extend it first.
 *
 * Supported: text; `{{- … -}}` whitespace trimming; comments; `define`/`end`; `if`/`else if`/`else`/`end`;
 * `with`/`else`/`end`; `range` over lists and maps (`$v :=` or `$k, $v :=`) with `else`; variables (`$x := …`, `$`);
 * pipelines (`a | f b`), parenthesised pipelines, field chains (`.Values.a.b`, `$x.a`), string, number, bool and nil
 * literals. Functions are resolved when rendering (helm-template-renderer.ts).
 */

export type Expression =
  | { readonly kind: 'field'; readonly base: 'dot' | { readonly variable: string }; readonly path: readonly string[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'pipeline'; readonly pipeline: Pipeline };

/** One stage of a pipeline: a function call (`name arg…`) or a single value. */
export interface Command {
  readonly operands: readonly Expression[];
}

export interface Pipeline {
  readonly declarations: readonly string[];
  readonly commands: readonly Command[];
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly pipeline: Pipeline }
  | {
      readonly kind: 'if';
      readonly branches: readonly { readonly condition: Pipeline; readonly body: readonly TemplateNode[] }[];
      readonly otherwise: readonly TemplateNode[];
    }
  | {
      readonly kind: 'with' | 'range';
      readonly pipeline: Pipeline;
      readonly body: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[];
    };

export interface ParsedTemplate {
  readonly nodes: readonly TemplateNode[];
  readonly defines: ReadonlyMap<string, readonly TemplateNode[]>;
}

export class TemplateSyntaxError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

type Token = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly body: string };

/** Splits a template into text and actions, applying `{{-` / `-}}` trimming and dropping comments. */
function scan(source: string, template: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  let trimNextText = false;
  while (position < template.length) {
    const open = template.indexOf('{{', position);
    let text = template.slice(position, open === -1 ? template.length : open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    if (open === -1) {
      tokens.push({ kind: 'text', text });
      break;
    }
    const close = template.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateSyntaxError(source, `unclosed action at offset ${open}`);
    let body = template.slice(open + 2, close);
    if (/^-\s/.test(body)) {
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    trimNextText = /\s-$/.test(body);
    if (trimNextText) body = body.slice(0, -1);
    tokens.push({ kind: 'text', text });
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) tokens.push({ kind: 'action', body });
    position = close + 2;
  }
  return tokens.filter((token) => token.kind === 'action' || token.text !== '');
}

type Lexeme =
  | { readonly kind: 'string' | 'number' | 'identifier' | 'field' | 'variable'; readonly text: string }
  | { readonly kind: '(' | ')' | '|' | ':=' | ',' };

/** One lexeme, optionally after spaces: "string", `raw`, number, $variable.path, .field.path, identifier, :=()|, */
const LEXEME_PATTERN = new RegExp(
  [
    String.raw`\s*(?:("(?:[^"\\]|\\.)*")`,
    String.raw`(\x60[^\x60]*\x60)`,
    String.raw`(-?\d+(?:\.\d+)?)`,
    String.raw`(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)`,
    String.raw`(\.(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)?)`,
    String.raw`([A-Za-z_][A-Za-z0-9_]*)`,
    String.raw`(:=|[()|,]))`,
  ].join('|'),
  'y',
);

function lex(source: string, body: string): Lexeme[] {
  const lexemes: Lexeme[] = [];
  LEXEME_PATTERN.lastIndex = 0;
  while (LEXEME_PATTERN.lastIndex < body.length) {
    if (/^\s*$/.test(body.slice(LEXEME_PATTERN.lastIndex))) break;
    const start = LEXEME_PATTERN.lastIndex;
    const match = LEXEME_PATTERN.exec(body);
    if (!match) throw new TemplateSyntaxError(source, `unexpected "${body.slice(start)}" in {{ ${body} }}`);
    const [, quoted, raw, number, variable, field, identifier, punctuation] = match;
    if (quoted !== undefined) lexemes.push({ kind: 'string', text: JSON.parse(quoted) as string });
    else if (raw !== undefined) lexemes.push({ kind: 'string', text: raw.slice(1, -1) });
    else if (number !== undefined) lexemes.push({ kind: 'number', text: number });
    else if (variable !== undefined) lexemes.push({ kind: 'variable', text: variable });
    else if (field !== undefined) lexemes.push({ kind: 'field', text: field });
    else if (identifier !== undefined) lexemes.push({ kind: 'identifier', text: identifier });
    else lexemes.push({ kind: punctuation as '(' | ')' | '|' | ':=' | ',' });
  }
  return lexemes;
}

/** Recursive-descent parser over one action's lexemes. */
class PipelineParser {
  private index = 0;
  constructor(
    private readonly source: string,
    private readonly lexemes: readonly Lexeme[],
  ) {}

  parseAll(allowDeclarations: boolean): Pipeline {
    const pipeline = this.pipeline(allowDeclarations);
    if (this.index < this.lexemes.length) this.fail('unexpected trailing tokens');
    return pipeline;
  }

  private pipeline(allowDeclarations: boolean): Pipeline {
    const declarations = allowDeclarations ? this.declarations() : [];
    const commands: Command[] = [this.command()];
    while (this.peek()?.kind === '|') {
      this.index += 1;
      commands.push(this.command());
    }
    return { declarations, commands };
  }

  /** `$x :=` or `$k, $v :=` at the start of a pipeline. */
  private declarations(): string[] {
    const names: string[] = [];
    let look = this.index;
    for (;;) {
      const lexeme = this.lexemes[look];
      if (lexeme?.kind !== 'variable' || lexeme.text.includes('.')) return [];
      names.push(lexeme.text);
      const next = this.lexemes[look + 1];
      if (next?.kind === ':=') {
        this.index = look + 2;
        return names;
      }
      if (next?.kind !== ',') return [];
      look += 2;
    }
  }

  private command(): Command {
    const operands: Expression[] = [];
    for (let next = this.peek(); next && next.kind !== '|' && next.kind !== ')'; next = this.peek()) {
      operands.push(this.operand());
    }
    if (operands.length === 0) this.fail('empty command');
    return { operands };
  }

  private operand(): Expression {
    const lexeme = this.lexemes[this.index];
    this.index += 1;
    switch (lexeme?.kind) {
      case 'string':
        return { kind: 'literal', value: lexeme.text };
      case 'number':
        return { kind: 'literal', value: Number(lexeme.text) };
      case 'field':
        return { kind: 'field', base: 'dot', path: lexeme.text.split('.').filter(Boolean) };
      case 'variable': {
        const [variable = '$', ...path] = lexeme.text.split('.');
        return { kind: 'field', base: { variable }, path };
      }
      case 'identifier':
        if (lexeme.text === 'true' || lexeme.text === 'false')
          return { kind: 'literal', value: lexeme.text === 'true' };
        if (lexeme.text === 'nil') return { kind: 'literal', value: null };
        return { kind: 'identifier', name: lexeme.text };
      case '(': {
        const pipeline = this.pipeline(false);
        if (this.lexemes[this.index]?.kind !== ')') this.fail('missing )');
        this.index += 1;
        return { kind: 'pipeline', pipeline };
      }
      default:
        return this.fail(`unexpected ${lexeme?.kind ?? 'end of action'}`);
    }
  }

  private peek(): Lexeme | undefined {
    return this.lexemes[this.index];
  }

  private fail(message: string): never {
    throw new TemplateSyntaxError(this.source, message);
  }
}

function parsePipeline(source: string, text: string, allowDeclarations = true): Pipeline {
  return new PipelineParser(source, lex(source, text)).parseAll(allowDeclarations);
}

type Frame = {
  readonly keyword: 'root' | 'define' | 'if' | 'with' | 'range';
  readonly name?: string;
  /** Bodies built so far: the first body, then one per `else if`, then an `else` body last. */
  readonly bodies: TemplateNode[][];
  readonly conditions: Pipeline[];
  hasElse: boolean;
};

/** Parses one template file: its top-level nodes and the named templates it defines. */
export function parseTemplate(source: string, template: string): ParsedTemplate {
  const defines = new Map<string, readonly TemplateNode[]>();
  const stack: Frame[] = [{ keyword: 'root', bodies: [[]], conditions: [], hasElse: false }];
  const current = () => stack[stack.length - 1]!;
  const append = (node: TemplateNode) => current().bodies[current().bodies.length - 1]!.push(node);

  for (const token of scan(source, template)) {
    if (token.kind === 'text') {
      append({ kind: 'text', text: token.text });
      continue;
    }
    const [, keyword = '', rest = ''] = /^([A-Za-z]+)\b\s*([\s\S]*)$/.exec(token.body) ?? [];
    if (keyword === 'define') {
      const name = /^"([^"]+)"$/.exec(rest)?.[1];
      if (!name) throw new TemplateSyntaxError(source, `bad define: ${token.body}`);
      stack.push({ keyword: 'define', name, bodies: [[]], conditions: [], hasElse: false });
    } else if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      stack.push({ keyword, bodies: [[]], conditions: [parsePipeline(source, rest)], hasElse: false });
    } else if (keyword === 'else') {
      const frame = current();
      if (frame.keyword === 'root' || frame.keyword === 'define' || frame.hasElse)
        throw new TemplateSyntaxError(source, `unexpected {{ ${token.body} }}`);
      const elseIf = /^if\s+([\s\S]+)$/.exec(rest);
      if (elseIf && frame.keyword !== 'if') throw new TemplateSyntaxError(source, 'else if outside if');
      if (elseIf) frame.conditions.push(parsePipeline(source, elseIf[1]!));
      else if (rest !== '') throw new TemplateSyntaxError(source, `unsupported {{ ${token.body} }}`);
      else frame.hasElse = true;
      frame.bodies.push([]);
    } else if (keyword === 'end') {
      const frame = stack.pop();
      if (!frame || frame.keyword === 'root') throw new TemplateSyntaxError(source, 'unexpected {{ end }}');
      closeFrame(frame, append, defines);
    } else if (['template', 'block', 'break', 'continue'].includes(keyword)) {
      throw new TemplateSyntaxError(source, `{{ ${keyword} }} is outside the supported subset`);
    } else {
      append({ kind: 'output', pipeline: parsePipeline(source, token.body) });
    }
  }
  if (stack.length !== 1) throw new TemplateSyntaxError(source, `unclosed {{ ${current().keyword} }}`);
  return { nodes: stack[0]!.bodies[0]!, defines };
}

function closeFrame(
  frame: Frame,
  append: (node: TemplateNode) => void,
  defines: Map<string, readonly TemplateNode[]>,
): void {
  const otherwise = frame.hasElse ? frame.bodies[frame.bodies.length - 1]! : [];
  if (frame.keyword === 'define') {
    defines.set(frame.name!, frame.bodies[0]!);
  } else if (frame.keyword === 'if') {
    const branches = frame.conditions.map((condition, index) => ({ condition, body: frame.bodies[index]! }));
    append({ kind: 'if', branches, otherwise });
  } else {
    append({
      kind: frame.keyword as 'with' | 'range',
      pipeline: frame.conditions[0]!,
      body: frame.bodies[0]!,
      otherwise,
    });
  }
}
