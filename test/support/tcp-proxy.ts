/**
 * A small real TCP proxy for fault tests: forwards every connection on its port to a target, and can
 * cut connections at random (each gets a random lifetime, then both sides are reset, as a dropped
 * network path or a restarted middlebox would do), or all at once. In front of a Kafka broker it can
 * also lose the response to one request: the broker has done the work, the client never hears of it.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface DropPlan {
  /** Each connection is cut after a lifetime drawn uniformly from [minMs, maxMs]. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Random numbers in [0, 1): seeded by the test so a run can be replayed. */
  readonly random: () => number;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  timer: NodeJS.Timeout | undefined;
  /** Kafka frames each way, followed (on a Kafka proxy) to find one request and the start of its response. */
  readonly frames: { readonly requests: FrameReader; readonly responses: FrameReader } | null;
  /** The correlation id of a Kafka request whose response is cut off (the connection is reset instead). */
  lostCorrelationId?: number;
  onLost?: () => void;
}

/** Kafka's request frame: int32 size, int16 api key, int16 api version, int32 correlation id, ... */
const KAFKA_REQUEST_HEADER = 12;
/** Kafka's response frame: int32 size, int32 correlation id, ... */
const KAFKA_RESPONSE_HEADER = 8;

export class TcpProxy {
  readonly #server: Server;
  readonly #targetHost: string;
  readonly #targetPort: number;
  readonly #kafka: boolean;
  readonly #pairs = new Set<Pair>();
  #plan: DropPlan | null = null;
  /** The Kafka API key whose next requests' responses are to be lost (see loseKafkaResponses). */
  #loseResponseTo: { apiKey: number; remaining: number; lost: () => void } | null = null;
  /** Connections accepted and connections cut by the proxy (not closed by either end). */
  accepted = 0;
  dropped = 0;

  private constructor(server: Server, targetHost: string, targetPort: number, kafka: boolean) {
    this.#server = server;
    this.#targetHost = targetHost;
    this.#targetPort = targetPort;
    this.#kafka = kafka;
    server.on("connection", (client) => this.#pipe(client));
  }

  /**
   * Listens on `port` of 127.0.0.1 (0: the OS picks one) and forwards to host:port; `kafka` makes it
   * follow the Kafka protocol's frames, which loseKafkaResponses needs.
   */
  static async start(target: { host: string; port: number }, port = 0, options: { kafka?: boolean } = {}): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, target.host, target.port, options.kafka === true);
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

  /** From now on every connection (open or new) is cut after a random lifetime; null stops cutting. */
  dropRandomly(plan: DropPlan | null): void {
    this.#plan = plan;
    for (const pair of this.#pairs) {
      clearTimeout(pair.timer);
      pair.timer = this.#schedule(pair.client, pair.upstream);
    }
  }

  /**
   * The next `count` Kafka requests with this API key (0 = Produce) reach the broker, but when the
   * broker's response to one starts coming back, the connection is reset instead: the client sees a
   * dropped connection for a request the broker carried out. Resolves when the last was lost.
   */
  loseKafkaResponses(apiKey: number, count = 1): Promise<void> {
    if (!this.#kafka) throw new Error("loseKafkaResponses needs a proxy started with { kafka: true }");
    return new Promise((resolve) => {
      let left = count;
      this.#loseResponseTo = {
        apiKey,
        remaining: count,
        lost: () => {
          if (--left === 0) resolve();
        },
      };
    });
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
    const frames = this.#kafka ? { requests: new FrameReader(KAFKA_REQUEST_HEADER), responses: new FrameReader(KAFKA_RESPONSE_HEADER) } : null;
    const pair: Pair = { client, upstream, timer: this.#schedule(client, upstream), frames };
    this.#pairs.add(pair);
    const close = (): void => {
      clearTimeout(pair.timer);
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    if (frames === null) {
      client.pipe(upstream);
      upstream.pipe(client);
      return;
    }
    client.on("data", (chunk: Buffer) => {
      // frames are followed from a connection's first byte, so their boundaries are known when needed
      const target = this.#loseResponseTo;
      const marked = frames.requests.read(chunk, (header) => target !== null && header.readInt16BE(4) === target.apiKey);
      if (target !== null && marked !== null && pair.lostCorrelationId === undefined) {
        pair.lostCorrelationId = marked.readInt32BE(8);
        pair.onLost = target.lost;
        if (--target.remaining === 0) this.#loseResponseTo = null;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.on("data", (chunk: Buffer) => {
      // a connection's responses come back in request order: the lost one starts at a frame boundary
      const lost = pair.lostCorrelationId;
      const before = frames.responses.bytesBefore(chunk, (header) => lost !== undefined && header.readInt32BE(4) === lost);
      if (before === null) {
        if (!client.write(chunk)) upstream.pause();
        return;
      }
      if (before > 0) client.write(chunk.subarray(0, before));
      this.#cut(client, upstream);
      pair.onLost?.();
    });
    client.on("drain", () => upstream.resume());
  }
}

/**
 * Follows size-prefixed frames (int32 size, then the frame) through a byte stream that arrives in
 * arbitrary chunks: which frame header matches a test, and where it starts.
 */
class FrameReader {
  readonly #headerSize: number;
  /** Bytes left of the frame being passed, after its header was seen. */
  #inFrame = 0;
  /** A frame header split across chunks. */
  #header = Buffer.alloc(0);

  constructor(headerSize: number) {
    this.#headerSize = headerSize;
  }

  /** Reads the chunk; returns the header of the first frame in it that matches, else null. */
  read(chunk: Buffer, matches: (header: Buffer) => boolean): Buffer | null {
    let match: Buffer | null = null;
    this.bytesBefore(chunk, (header) => {
      if (match === null && matches(header)) match = Buffer.from(header);
      return false;
    });
    return match;
  }

  /** Reads the chunk; returns how many of its bytes come before the first matching frame, else null. */
  bytesBefore(chunk: Buffer, matches: (header: Buffer) => boolean): number | null {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#inFrame > 0) {
        const n = Math.min(this.#inFrame, chunk.length - offset);
        this.#inFrame -= n;
        offset += n;
        continue;
      }
      const frameStart = offset - this.#header.length;
      const need = this.#headerSize - this.#header.length;
      const take = Math.min(need, chunk.length - offset);
      this.#header = Buffer.concat([this.#header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.#header.length < this.#headerSize) break;
      const header = this.#header;
      this.#header = Buffer.alloc(0);
      if (matches(header)) return Math.max(0, frameStart);
      this.#inFrame = Math.max(0, 4 + header.readInt32BE(0) - this.#headerSize);
    }
    return null;
  }
}
