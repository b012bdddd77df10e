import type { Actor } from '../../core/chat.js';
import { html, type Html } from '../html.js';

const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', discord: 'Discord', local: 'the terminal' };

/** Who is looking, and what the page frame needs for them. */
export interface Viewer {
  actor: Actor;
  /** Organizers see the FAQ and Audit pages in the navigation. */
  organizer: boolean;
  /** This session's CSRF token, for every form. */
  csrf: string;
}

export interface PageOptions {
  title: string;
  viewer: Viewer | null;
  body: Html;
  /** Where in the navigation the page sits, for aria-current. */
  section?: 'cohorts' | 'faq' | 'audit' | 'record';
}

export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;
}

function nav(viewer: Viewer, section: PageOptions['section']): Html {
  const item = (href: string, label: string, key: PageOptions['section']) =>
    html`<li><a href="${href}"${section === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="Dashboard"><ul>
${item('/cohorts', 'Cohorts', 'cohorts')}
${viewer.organizer ? html`${item('/faq', 'FAQ', 'faq')}${item('/audit', 'Audit', 'audit')}` : ''}
</ul></nav>
<div class="who"><span>${viewer.actor.displayName} <span class="muted">on ${PLATFORM_NAMES[viewer.actor.platform] ?? viewer.actor.platform}</span></span>
<form method="post" action="/signout">${csrfField(viewer)}<button type="submit" class="link">Sign out</button></form></div>`;
}

export function page(o: PageOptions): string {
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · mentorbot</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top"><a class="brand" href="/">mentorbot</a>${o.viewer ? nav(o.viewer, o.section) : ''}</header>
<main id="main">
${o.body}
</main>
</body>
</html>`}`;
}

/** A page that only says something: signed out, not allowed, not found, a link that no longer works. */
export function notice(o: { title: string; viewer: Viewer | null; lines: Array<string | Html> }): string {
  return page({ title: o.title, viewer: o.viewer, body: html`<h1>${o.title}</h1>${o.lines.map((l) => html`<p>${l}</p>`)}` });
}
