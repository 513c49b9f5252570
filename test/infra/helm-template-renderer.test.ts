/**
 * The chart checks rest on test/support/helm-template-renderer.ts standing in for `helm template`; these pin the Helm
 * behaviours the chart relies on, each as Helm (Go text/template + Sprig) would print it.
 */
import { mergeValues, renderTemplate } from '../support/helm-template-renderer';

const render = (template: string, data: unknown = {}) => renderTemplate('test.tpl', template, data);

describe('helm template renderer', () => {
  it('trims whitespace on the marked side of an action only', () => {
    expect(render('a  {{- "b" }}  c')).toBe('ab  c');
    expect(render('a  {{ "b" -}}  c')).toBe('a  bc');
    expect(render('line\n{{- /* a comment */ -}}\nnext')).toBe('linenext');
  });

  it('reads fields, prints nil as nothing and refuses fields of nil', () => {
    const data = { Values: { image: { tag: 'v1' }, count: 3, on: true } };
    expect(render('{{ .Values.image.tag }}/{{ .Values.count }}/{{ .Values.on }}/{{ .Values.missing }}', data)).toBe(
      'v1/3/true/',
    );
    expect(() => render('{{ .Values.missing.tag }}', data)).toThrow(/nil pointer/);
  });

  it('includes defined templates with nindent, indent and toYaml (sorted keys, no final newline)', () => {
    const template =
      '{{- define "labels" -}}\nb: {{ .b }}\na: {{ .a | quote }}\n{{- end -}}\n' +
      'metadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}\n' +
      'spec:\n{{ toYaml .spec | indent 2 }}';
    expect(render(template, { a: 'x', b: 2, spec: { z: 1, a: [1, 2] } })).toBe(
      'metadata:\n  labels:\n    b: 2\n    a: "x"\nspec:\n  a:\n  - 1\n  - 2\n  z: 1',
    );
  });

  it('ranges over maps in key order and over lists, with else when empty', () => {
    const template =
      '{{ range $key, $value := .m }}{{ $key }}={{ $value }};{{ end }}|{{ range .l }}[{{ . }}]{{ else }}none{{ end }}';
    expect(render(template, { m: { b: 2, a: 1 }, l: ['x', 'y'] })).toBe('a=1;b=2;|[x][y]');
    expect(render(template, { m: {}, l: [] })).toBe('|none');
  });

  it('follows Go truth and Sprig default: empty strings, zero, false and empty collections are empty', () => {
    const template = '{{ if .v }}yes{{ else }}no{{ end }}:{{ default "fallback" .v }}';
    expect(render(template, { v: '' })).toBe('no:fallback');
    expect(render(template, { v: 0 })).toBe('no:fallback');
    expect(render(template, { v: [] })).toBe('no:fallback');
    expect(render(template, { v: 'set' })).toBe('yes:set');
    expect(render('{{ if .a }}a{{ else if .b }}b{{ else }}c{{ end }}', { a: false, b: 1 })).toBe('b');
  });

  it('short-circuits and/or, so a guard protects the field behind it', () => {
    expect(render('{{ if and .a .a.b }}yes{{ else }}no{{ end }}', {})).toBe('no');
    expect(render('{{ or .a "fallback" }}', {})).toBe('fallback');
    expect(render('{{ if and .x (ne .y "skip") }}kept{{ end }}', { x: 1, y: 'z' })).toBe('kept');
  });

  it('rebinds dot in with, keeps $ as the root, and scopes variables', () => {
    const template = '{{- $name := .name -}}{{ with .inner }}{{ .v }}-{{ $.name }}-{{ $name }}{{ end }}';
    expect(render(template, { name: 'root', inner: { v: 'in' } })).toBe('in-root-root');
  });

  it('implements the string functions the chart uses', () => {
    expect(render('{{ printf "%s-%s" "a" "b" | trunc 3 | trimSuffix "-" }}')).toBe('a-b');
    expect(render('{{ "abcdef-" | trunc 6 }}|{{ "name-" | trimSuffix "-" }}')).toBe('abcdef|name');
    expect(render('{{ "secret" | b64enc }}|{{ 8080 | quote }}')).toBe('c2VjcmV0|"8080"');
    expect(render('{{ "x" | sha256sum }}')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });

  it('fails loudly: required values, unknown functions and unsupported actions', () => {
    expect(() => render('{{ required "need it" .v }}', { v: '' })).toThrow('need it');
    expect(render('{{ required "need it" .v }}', { v: 'ok' })).toBe('ok');
    expect(() => render('{{ lookup "v1" "Secret" "ns" "name" }}')).toThrow(/outside the supported subset/);
    expect(() => render('{{ template "x" . }}')).toThrow(/outside the supported subset/);
    expect(() => render('{{ if .a }}unclosed')).toThrow(/unclosed/);
  });

  it('merges values like Helm: maps key by key, lists replaced, null removes', () => {
    const merged = mergeValues(
      { image: { repository: 'r', tag: '' }, hosts: ['a', 'b'], extra: { keep: 1 } },
      { image: { tag: 'v2' }, hosts: ['c'], extra: null },
    );
    expect(merged).toEqual({ image: { repository: 'r', tag: 'v2' }, hosts: ['c'] });
  });
});
