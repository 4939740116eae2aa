/** /metrics, /healthz and /readyz for a scorer. */
import { createServer, type Server } from "node:http";
import type { ScorerMetrics } from "./metrics.js";

export interface Health {
  /** Alive: the process works (the consumer has not crashed for good). */
  live(): boolean;
  /** Ready: in the consumer group with a model loaded. */
  ready(): boolean;
}

export async function startHttp(host: string, port: number, metrics: ScorerMetrics, health: Health): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { "Content-Type": metrics.registry.contentType });
          res.end(text);
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
      return;
    }
    if (path === "/healthz" || path === "/readyz") {
      const ok = path === "/healthz" ? health.live() : health.ready();
      res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" });
      res.end(ok ? "ok\n" : "not ready\n");
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
