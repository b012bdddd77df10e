/**
 * CommonMark → Slack mrkdwn. Slack's dialect differs where it hurts: `*x*` is bold (not italic),
 * links are `<url|text>`, there are no headings, and `&`, `<`, `>` must be escaped.
 */

const SLACK_ENTITY = /^<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+(?:\|[^>]*)?|!(?:here|channel|everyone)|!subteam\^[A-Z0-9]+)>$/;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Reverses Slack's escaping of `&`, `<`, `>` in text a user typed. */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function inline(line: string): string {
  const held: string[] = [];
  const hold = (s: string) => `\uE000${held.push(s) - 1}\uE000`;

  let s = line
    // code spans are literal
    .replace(/`([^`]+)`/g, (_m, code: string) => hold('`' + escapeMrkdwn(code) + '`'))
    // Slack mentions the core may pass through untouched
    .replace(/<[@#!][^>\s]+>/g, (m) => (SLACK_ENTITY.test(m) ? hold(m) : m))
    // autolinks <https://…>
    .replace(/<(https?:\/\/[^>\s]+)>/g, (_m, url: string) => hold(`<${url}>`))
    // [text](url)
    .replace(/\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, text: string, url: string) => {
      const label = escapeMrkdwn(text.replace(/(\*\*|__|\*|_|~~)/g, '')).replace(/\|/g, '¦');
      return hold(`<${url.replace(/[<>|]/g, encodeURIComponent)}|${label}>`);
    });

  s = escapeMrkdwn(s);
  s = s
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '\uE001$1\uE001')
    .replace(/__(?=\S)(.+?)(?<=\S)__/g, '\uE001$1\uE001')
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])/g, '$1_$2_')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '~$1~')
    .replace(/\uE001/g, '*');
  return s.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => held[Number(i)]!);
}

/**
 * The same few texts are converted again and again (a check-in's "Recorded: On track for week 3",
 * a fan-out's thousand round posts differing only in their count): each is converted once, and the
 * memory is emptied when it holds this many.
 */
const CONVERTED_KEPT = 2_000;
const converted = new Map<string, string>();

export function toMrkdwn(markdown: string): string {
  let out = converted.get(markdown);
  if (out === undefined) {
    if (converted.size >= CONVERTED_KEPT) converted.clear();
    out = convert(markdown);
    converted.set(markdown, out);
  }
  return out;
}

function convert(markdown: string): string {
  const out: string[] = [];
  let inFence = false;
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*```/.test(raw)) {
      inFence = !inFence;
      out.push('```');
      continue;
    }
    if (inFence) {
      out.push(escapeMrkdwn(raw));
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      const text = inline(heading[1]!.replace(/\*\*|__/g, ''));
      out.push(text ? `*${text}*` : '');
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(raw)) {
      out.push('──────────');
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(raw);
    if (quote) {
      out.push(`>${inline(quote[1]!)}`);
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(raw);
    if (bullet) {
      const depth = Math.floor(bullet[1]!.replace(/\t/g, '  ').length / 2);
      out.push(`${'    '.repeat(depth)}• ${inline(bullet[2]!)}`);
      continue;
    }
    out.push(inline(raw));
  }
  return out.join('\n');
}
