import type { Button, OutMessage } from '../../core/chat.js';

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const bold = (s: string) => (useColor ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s: string) => (useColor ? `\x1b[2m${s}\x1b[22m` : s);

const BOLD = /\*\*([^*]+)\*\*/g;
// Italics open after a space and close before one or a stop; an underscore inside a word ("New_York") stays.
const ITALIC = /(^|\s)_(\S(?:.*?\S)?)_(?=\s|$|[.,;:])/gm;

/** Markdown as a terminal shows it: bold kept visible, buttons numbered so `click N` can press them. */
export function renderText(markdown: string): string {
  return markdown.replace(BOLD, (_m, t: string) => bold(t)).replace(ITALIC, (_m, pre: string, t: string) => `${pre}${dim(t)}`);
}

/** Markdown without its emphasis marks, for one-line notes of an edit. */
export function plainText(markdown: string): string {
  return markdown.replace(BOLD, '$1').replace(ITALIC, '$1$2');
}

export function renderButtons(buttons: Array<{ n: number; button: Button }>): string {
  return buttons.map(({ n, button }) => `[${n}] ${button.label}`).join('  ');
}

export function frame(header: string, message: OutMessage, numbered: Array<{ n: number; button: Button }>): string {
  const lines = [dim(`── ${header} ${'─'.repeat(Math.max(0, 60 - header.length))}`), renderText(message.text)];
  for (const part of message.thread ?? []) lines.push(dim('  ↳ in thread:'), renderText(part));
  if (numbered.length > 0) lines.push(renderButtons(numbered));
  return lines.join('\n');
}
