import { notBuiltYet } from './stub.js';

export async function run(_argv: string[]): Promise<number> {
  return notBuiltYet('export');
}
