// Answers to what Node rejects before a request exists (malformed HTTP, oversized headers, the
// request and headers time-outs): written straight to the socket, as Fastify's default handler
// does, but with an X-Request-Id like every other response so the refusal can be quoted and found
// in the logs.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

const ANSWERS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large' },
};

export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = ANSWERS[err.code ?? ''] ?? { status: 400, message: 'The request is not valid HTTP' };
  const id = randomUUID();
  this.log.debug({ reqId: id, status, code: err.code }, `client error: ${message}`);
  if (socket.writable) {
    const body = JSON.stringify({ error: http.STATUS_CODES[status], message, statusCode: status });
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
