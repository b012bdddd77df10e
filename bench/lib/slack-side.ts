import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeStats, PostedMessage } from './fake-slack-api.js';
import type { LoadJob, LoadResult } from './slack-process.js';

/** The parent's handle on bench/lib/slack-process.ts: a fake Slack and a load generator in another process. */
export class SlackSide {
  private nextId = 0;
  private readonly calls = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly apiUrl: string,
  ) {
    child.on('message', (msg: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const call = this.calls.get(msg.id);
      if (!call) return;
      this.calls.delete(msg.id);
      if (msg.ok) call.resolve(msg.result);
      else call.reject(new Error(`slack side: ${msg.error}`));
    });
    child.on('exit', (code) => {
      for (const c of this.calls.values()) c.reject(new Error(`the slack side process exited (${code})`));
      this.calls.clear();
    });
  }

  static async start(): Promise<SlackSide> {
    const child = fork(fileURLToPath(new URL('./slack-process.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ baseUrl: string; apiUrl: string }>((resolve, reject) => {
      child.once('message', (m: { ready?: boolean; baseUrl: string; apiUrl: string }) => (m.ready ? resolve(m) : reject(new Error('unexpected first message'))));
      child.once('exit', (code) => reject(new Error(`the slack side process exited before it was ready (${code})`)));
    });
    return new SlackSide(child, ready.baseUrl, ready.apiUrl);
  }

  private call<T>(cmd: string, args?: unknown): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.child.send({ id, cmd, args });
    });
  }

  /** Forgets every message and counter; null: no rate limit. */
  configure(perChannelPerSec: number | null): Promise<void> {
    return this.call('configure', { perChannelPerSec });
  }

  stats(): Promise<FakeStats> {
    return this.call('stats');
  }

  /** Waits until `count` distinct rounds have been posted (or the timeout), then returns the counters. */
  waitRoundPosts(count: number, timeoutMs: number): Promise<FakeStats> {
    return this.call('waitRoundPosts', { count, timeoutMs });
  }

  roundMessages(): Promise<PostedMessage[]> {
    return this.call('roundMessages');
  }

  load(job: LoadJob): Promise<LoadResult> {
    return this.call('load', job);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call('close').catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}
