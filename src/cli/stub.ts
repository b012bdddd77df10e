export function notBuiltYet(command: string): number {
  process.stderr.write(`mentorbot ${command}: not built yet\n`);
  return 2;
}
