// The collector's HTTP answers: OTLP bodies in the request's encoding, and how they are sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OtlpEncoding } from '../otlp-decode-result.js';
import type { OtlpAnswer } from '../otlp-exchange.js';
import { encodeExportResponse, encodeStatus } from './export-response.js';

export interface StatusOptions {
  readonly close?: boolean;
  /** Seconds for Retry-After, when the client should retry. */
  readonly retryAfter?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

function contentTypeOf(encoding: OtlpEncoding | undefined): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/** A failure: a google.rpc.Status in the request's encoding (JSON when it had none the collector reads). */
export function statusAnswer(encoding: OtlpEncoding | undefined, status: number, code: number, message: string, options: StatusOptions = {}): OtlpAnswer {
  const headers: Record<string, string> = { ...options.headers };
  if (options.retryAfter !== undefined) headers['Retry-After'] = options.retryAfter;
  const answer = { status, body: encodeStatus(encoding ?? 'json', code, message), contentType: contentTypeOf(encoding), headers, close: options.close ?? false, message, code };
  return options.retryAfter === undefined ? answer : { ...answer, retryAfter: options.retryAfter };
}

/** 200 with an ExportTraceServiceResponse, carrying partial success when spans were rejected. */
export function successAnswer(encoding: OtlpEncoding, acceptedSpans: number, rejectedSpans: number, errorMessage: string): OtlpAnswer {
  return { status: 200, body: encodeExportResponse(encoding, rejectedSpans, errorMessage), contentType: contentTypeOf(encoding), acceptedSpans, rejectedSpans, message: errorMessage };
}

/** Sends `answer` unless the connection is already gone or answered. */
export function sendAnswer(request: IncomingMessage, response: ServerResponse, answer: OtlpAnswer, closing: boolean): void {
  if (response.headersSent || response.destroyed || !request.socket.writable) return;
  const headers: Record<string, string | number> = {
    'Content-Type': answer.contentType,
    'Content-Length': answer.body.length,
    ...answer.headers,
  };
  // A body left unread would be parsed as the next request: drop the connection instead.
  // While closing, no connection is kept for another request.
  if ((answer.close === true && !request.complete) || closing) headers['Connection'] = 'close';
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

/** The raw status line for a client error Node reports outside a handler. */
export function clientErrorStatus(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}
