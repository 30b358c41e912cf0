// HTTP time-outs. Fastify leaves the request time-out off and keeps idle connections 72 s, so a
// client trickling a body one byte at a time held a socket (and its parser) for minutes.
import type { Config } from '../config.ts';

export function timeoutOptions(config: Config) {
  const { requestTimeoutSeconds, headersTimeoutSeconds, keepAliveTimeoutSeconds } = config.lifecycle;
  const requestTimeout = requestTimeoutSeconds * 1000;
  return {
    // Bounds receiving the request (headers and body), not producing the response: a 1,000-operation
    // Bulk may take longer than this to answer once its body has arrived.
    requestTimeout,
    // Inactivity on the socket: off, since a long Bulk keeps the socket silent while it runs.
    connectionTimeout: 0,
    // Node's default of 5 s. Behind a balancer that reuses connections, set it above the balancer's
    // own idle time-out, or the balancer may send a request on a socket we are closing (a 502).
    keepAliveTimeout: keepAliveTimeoutSeconds * 1000,
    http: {
      requestTimeout,
      headersTimeout: headersTimeoutSeconds * 1000,
      // Node only checks the two time-outs above on this interval (30 s by default), which would let
      // a 30 s time-out run to 60 s.
      connectionsCheckingInterval: Math.min(1000, headersTimeoutSeconds * 1000),
    },
  };
}
