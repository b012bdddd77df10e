/** The bot's notion of "now". Real time by default; moved by the terminal mode and the test clock. */
export class Clock {
  private offsetMs = 0;
  private fixed: Date | null = null;

  constructor(private readonly source: () => number = Date.now) {}

  now(): Date {
    return this.fixed ? new Date(this.fixed.getTime() + this.offsetMs) : new Date(this.source() + this.offsetMs);
  }

  /** Jumps to an absolute time; the clock keeps running from there. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - this.source();
    this.fixed = null;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Stops the clock at a time (tests and the demo), so nothing depends on how fast the machine is. */
  freeze(at: Date): void {
    this.fixed = at;
    this.offsetMs = 0;
  }
}
