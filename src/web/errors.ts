import type { Html } from './html.js';

/** A page that says why the request did not go through: signed out, not allowed, not found, too many. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly lines: Array<string | Html>,
  ) {
    super(title);
    this.name = 'PageError';
  }
}

export const SIGN_IN_HOW = 'Type /dashboard in your cohort’s channel (on Slack, Discord or in the terminal) and open the link it sends you.';

export const signedOut = () => new PageError(401, 'Sign in', ['This page is for signed-in people.', SIGN_IN_HOW]);
export const notFound = (what: string) => new PageError(404, 'Not found', [`There is no ${what} here.`, 'Use the links on the Cohorts page.']);
