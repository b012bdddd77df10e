import type { Actor } from '../../src/core/chat.js';
import type { Core } from '../../src/core/core.js';
import { issueLink } from '../../src/core/dashboard/signin.js';
import { createLogger } from '../../src/log.js';
import { buildDashboard, type Dashboard, type DashboardOptions } from '../../src/web/app.js';

export async function startDashboard(core: Core, opts: Partial<DashboardOptions> = {}): Promise<Dashboard> {
  return buildDashboard({ core, log: createLogger('silent', false), publicUrl: 'http://127.0.0.1:3000', ...opts });
}

export interface Seen {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

/** One browser: its cookies, kept between requests like a browser keeps them. */
export class Browser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly dash: Dashboard) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Seen> {
    const res = await this.dash.app.inject({
      method,
      url,
      headers: { cookie: this.cookieHeader(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      payload: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return { status: res.statusCode, body: res.body, headers: res.headers };
  }

  get(url: string, headers?: Record<string, string>): Promise<Seen> {
    return this.request('GET', url, undefined, headers);
  }

  /** Posts a form the way the page does: with the CSRF token of a page it can see. */
  async post(url: string, form: Record<string, string> = {}, tokenFrom = '/cohorts'): Promise<Seen> {
    const page = await this.get(tokenFrom);
    return this.request('POST', url, { _csrf: csrfOf(page.body) ?? '', ...form });
  }

  /** Opens a fresh sign-in link for this person, as if they had typed /dashboard. */
  async signIn(core: Core, actor: Actor): Promise<Seen> {
    const issued = await issueLink(core.deps.db, actor, core.deps.clock.now());
    if ('tooMany' in issued) throw new Error('too many links');
    return this.get(`/signin/${issued.token}`);
  }
}

export function csrfOf(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}
