/**
 * A log point's message template: text with `{expression}` parts, evaluated on the paused
 * frame (side-effect free). `{{` and `}}` stand for literal braces.
 */

export type TemplatePart = { text: string } | { expr: string };

/** Most expressions one template may hold. */
export const MAX_TEMPLATE_EXPRESSIONS = 10;

/** Splits a template; throws with a reason a user can act on when it is malformed. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let exprs = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') {
      text += '{';
      i++;
    } else if (c === '}' && template[i + 1] === '}') {
      text += '}';
      i++;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      if (end === -1) throw new Error(`unclosed "{" at character ${i + 1}`);
      const expr = template.slice(i + 1, end).trim();
      if (expr === '') throw new Error(`empty "{}" at character ${i + 1}`);
      if (++exprs > MAX_TEMPLATE_EXPRESSIONS) throw new Error(`more than ${MAX_TEMPLATE_EXPRESSIONS} expressions`);
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ expr });
      i = end;
    } else if (c === '}') {
      throw new Error(`unmatched "}" at character ${i + 1}`);
    } else {
      text += c;
    }
  }
  if (text !== '') parts.push({ text });
  return parts;
}
