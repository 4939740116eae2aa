/**
 * A small real TCP proxy for fault tests: forwards every connection on its port to a target, and can
 * cut connections at random (each gets a random lifetime, then both sides are reset, as a dropped
 * network path or a restarted middlebox would do), or all at once.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface DropPlan {
  /** Each connection is cut after a lifetime drawn uniformly from [minMs, maxMs]. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Random numbers in [0, 1): seeded by the test so a run can be replayed. */
  readonly random: () => number;
}

export class TcpProxy {
  readonly #server: Server;
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; timer: NodeJS.Timeout | undefined }>();
  #plan: DropPlan | null = null;
  /** Connections accepted and connections cut by the proxy (not closed by either end). */
  accepted = 0;
  dropped = 0;

  private constructor(server: Server, targetHost: string, targetPort: number) {
    this.#server = server;
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
    server.on("connection", (client) => this.#pipe(client));
  }

  /** Listens on `port` of 127.0.0.1 (0: the OS picks one) and forwards to host:port. */
  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target.host, target.port);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address !== "object") throw new Error("the proxy is not listening");
    return address.port;
  }

  get open(): number {
    return this.#pairs.size;
  }

  /** From now on every connection (open or new) is cut after a random lifetime; null stops cutting. */
  dropRandomly(plan: DropPlan | null): void {
    this.#plan = plan;
    for (const pair of this.#pairs) {
      clearTimeout(pair.timer);
      pair.timer = this.#schedule(pair.client, pair.upstream);
    }
  }

  /** Cuts every open connection now. */
  dropAll(): void {
    for (const pair of [...this.#pairs]) this.#cut(pair.client, pair.upstream);
  }

  async close(): Promise<void> {
    this.#plan = null;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const pair of [...this.#pairs]) {
      clearTimeout(pair.timer);
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.#pairs.clear();
    await closed;
  }

  #schedule(client: Socket, upstream: Socket): NodeJS.Timeout | undefined {
    const plan = this.#plan;
    if (plan === null) return undefined;
    const lifetime = plan.minMs + (plan.maxMs - plan.minMs) * plan.random();
    const timer = setTimeout(() => this.#cut(client, upstream), lifetime);
    timer.unref();
    return timer;
  }

  #cut(client: Socket, upstream: Socket): void {
    if (client.destroyed && upstream.destroyed) return;
    this.dropped++;
    for (const socket of [client, upstream]) {
      // a reset (RST), not a polite FIN: the peer sees ECONNRESET mid-request; a socket still
      // connecting cannot be reset and is destroyed instead
      if (socket.connecting || socket.destroyed) socket.destroy();
      else socket.resetAndDestroy();
    }
  }

  #pipe(client: Socket): void {
    this.accepted++;
    client.setNoDelay(true);
    const upstream = connect({ host: this.#targetHost, port: this.#targetPort });
    upstream.setNoDelay(true);
    const pair = { client, upstream, timer: this.#schedule(client, upstream) };
    this.#pairs.add(pair);
    const close = (): void => {
      clearTimeout(pair.timer);
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
