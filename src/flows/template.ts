/** `{{name}}` placeholders in flow texts, filled from the dialog's variables. Plain text out: no HTML escaping. */
export function renderTemplate(template: string, vars: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{\{\{?\s*([\w.]+)\s*\}?\}\}/g, (_match, name: string) => {
    const value = vars[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  });
}
