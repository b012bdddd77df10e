#!/usr/bin/env node
// Runs the compiled bot in dist/. In a checkout (src/ is there) dist/ is built first when it is
// missing or older than the sources, so a start never runs code older than what is on disk; an
// installed image has dist/ only.
import { existsSync } from 'node:fs';

const checkout = existsSync(new URL('../src/cli.ts', import.meta.url));
if (checkout) {
  const { buildIfStale } = await import('../scripts/build.js');
  try {
    await buildIfStale();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
} else if (!existsSync(new URL('../dist/src/cli.js', import.meta.url))) {
  process.stderr.write('mentorbot: dist/ is missing from this installation; build it with `npm run build` where the sources are.\n');
  process.exit(1);
}
await import('../dist/src/cli.js');
