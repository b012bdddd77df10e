import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { buildManifest } from '../platforms/slack/manifest.js';

export const USAGE = `usage: mentorbot slack manifest [--url https://your.host] [--socket] [--json] [--name NAME]

  --url      the public base URL of this bot; requests go to <url>/slack/events
  --socket   Socket Mode (SLACK_APP_TOKEN): no public URL needed
  --json     print JSON instead of YAML
  --name     the app and bot name (default mentorbot)`;

export interface Io {
  stdout: Writable;
  stderr: Writable;
}

export async function run(argv: string[], io: Io = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, socket: { type: 'boolean' }, json: { type: 'boolean' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr.write(`mentorbot slack: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.join(' ') !== 'manifest') {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (values.url !== undefined) {
    let ok = false;
    try {
      ok = new URL(values.url).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) {
      io.stderr.write(`mentorbot slack: --url must be an https:// URL (Slack only calls https), got "${values.url}"\n`);
      return 2;
    }
    if (values.socket) {
      io.stderr.write('mentorbot slack: --socket needs no URL; pass one or the other\n');
      return 2;
    }
  }
  const manifest = buildManifest({ url: values.url ?? null, socketMode: values.socket ?? false, name: values.name });
  io.stdout.write(values.json ? `${JSON.stringify(manifest, null, 2)}\n` : stringify(manifest, { lineWidth: 0 }));
  if (!values.url && !values.socket) {
    io.stderr.write('mentorbot slack: no --url given; replace https://YOUR-PUBLIC-HOST in the manifest with your public URL\n');
  }
  return 0;
}
