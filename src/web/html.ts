import { html as escapeByDefault, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * HTML from a tagged template in which every interpolated value is escaped, unless it is itself
 * `Html` (a nested template). hono's helper does the escaping; this wrapper only promises a
 * string: pages load their data first, so a template never waits on anything.
 */
export type Html = HtmlEscapedString;

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = escapeByDefault(strings, ...values);
  if (out instanceof Promise) throw new Error('a page template was given a promise; load the data before rendering');
  return out;
}

/**
 * Markup we made ourselves and escaped on the way (the heatmap SVG, whose every text goes through
 * escapeXml). The only way around the escaping: never pass it anything a person typed.
 */
export function trustedMarkup(markup: string): Html {
  return raw(markup);
}
