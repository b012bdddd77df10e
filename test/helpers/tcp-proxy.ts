import net from 'node:net';

/**
 * A TCP proxy between the bot and Postgres that a test can cut and restore, to make the database
 * go away the way a network or a server failure does: every open connection dies at once and new
 * ones are refused until it is restored.
 */

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** Per connection: the transaction on this connection wrote a check-in. */
  wroteCheckin: boolean;
  /** The server's answers are no longer passed on (the connection is about to be cut). */
  muted: boolean;
}

const COMMIT = Buffer.from('commit\0', 'latin1');
const QUERY = 0x51; // 'Q', a simple-protocol query message

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  private up = true;
  private listenPort = 0;
  private cutAtCommit: { matches: (sql: string) => boolean; resolve: () => void } | null = null;
  /** Connections the proxy accepted, in total. */
  accepted = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Connections currently open through the proxy. */
  get open(): number {
    return this.pairs.size;
  }

  /** Destroys every open connection and refuses new ones (ECONNREFUSED) until `restore()`. */
  async cut(): Promise<void> {
    this.up = false;
    this.cutAtCommit = null;
    const server = this.server;
    this.server = null;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.server.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    if (this.up) return;
    await this.listen(this.listenPort);
    this.up = true;
  }

  /**
   * Arms a cut at the worst moment for a writer: the COMMIT of the next transaction whose SQL
   * matches reaches Postgres, and the connection is cut before Postgres's answer gets back.
   * Resolves once the cut happened; the proxy stays down until `restore()`.
   */
  cutAtNextCommit(matches: (sql: string) => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.cutAtCommit = { matches, resolve };
    });
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.listenPort = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  private accept(client: net.Socket): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    this.accepted++;
    const server = net.connect(this.target.port, this.target.host);
    const pair: Pair = { client, server, wroteCheckin: false, muted: false };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', drop);
    server.on('error', drop);
    client.on('close', drop);
    server.on('close', drop);
    server.on('data', (chunk: Buffer) => {
      if (!pair.muted) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      const trap = this.cutAtCommit;
      if (trap) {
        if (trap.matches(chunk.toString('latin1'))) pair.wroteCheckin = true;
        if (pair.wroteCheckin && isCommit(chunk)) {
          this.cutAtCommit = null;
          pair.muted = true;
          server.write(chunk);
          // Give Postgres the time to commit, then cut before its answer can get through.
          setTimeout(() => void this.cut().then(trap.resolve), 200);
          return;
        }
        if (isCommit(chunk) || /rollback\0/i.test(chunk.toString('latin1'))) pair.wroteCheckin = false;
      }
      server.write(chunk);
    });
  }
}

function isCommit(chunk: Buffer): boolean {
  for (let i = chunk.indexOf(COMMIT); i >= 0; i = chunk.indexOf(COMMIT, i + 1)) {
    if (i >= 5 && chunk[i - 5] === QUERY) return true;
  }
  return false;
}
