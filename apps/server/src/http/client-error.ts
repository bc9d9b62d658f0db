import type { Duplex } from "node:stream";
import { errorEnvelope } from "./envelope";
import { newRequestId, REQUEST_ID_HEADER } from "./request-context";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

function answerFor(code: string | undefined): { status: number; message: string } {
  if (code === "HPE_HEADER_OVERFLOW")
    return { status: 431, message: "Request line and headers too large (16 KB at most)" };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, message: "Request not received in time" };
  return { status: 400, message: "Malformed HTTP request" };
}

/**
 * Requests node's HTTP parser refuses before any handler runs (a URL or headers past 16 KB, a
 * broken request line) get our envelope too, not node's bare status line. The socket is closed
 * after it: the parser's state is unknown.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, message } = answerFor(err.code);
  const requestId = newRequestId();
  const body = JSON.stringify(
    errorEnvelope(
      { status, error: status === 408 ? "request_timeout" : "validation_error", message },
      requestId,
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\n` +
      "content-type: application/json; charset=utf-8\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
      "connection: close\r\n\r\n" +
      body,
  );
}
