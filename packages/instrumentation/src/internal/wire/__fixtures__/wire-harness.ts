// Test helpers for the wire parsers: fixture loading, feeding bodies in chosen pieces, and random mutations.
import { readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { expect } from 'vitest';
import type { MessagePart } from '../../../gen-ai-types.js';
import { createWireFormat } from '../create-wire-format.js';
import type { WireFormat, WireFormatName, WireResponse } from '../wire-format.js';

/** A fixture file's bytes. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./${name}`, import.meta.url)));
}

/** A fixture file parsed as JSON. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(Buffer.from(fixtureBytes(name)).toString('utf8')) as unknown;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A format as detection would bind it, for tests that do not go through a URL. */
export function formatOf(name: WireFormatName, pathStreaming?: boolean, pathModel?: string): WireFormat {
  return createWireFormat(name, { provider: 'test', pathStreaming, pathModel });
}

export interface FeedResult {
  readonly response: WireResponse;
  /** Indexes of the pushes that returned true. */
  readonly firstContentPushes: readonly number[];
}

/** Feeds the pieces to a new parser and ends it. */
export function feed(format: WireFormat, contentType: string | undefined, pieces: readonly Uint8Array[], maxTextBytes = 50_000): FeedResult {
  const parser = format.createResponseParser(contentType, { maxTextBytes });
  const firstContentPushes: number[] = [];
  pieces.forEach((piece, index) => {
    if (parser.push(piece)) firstContentPushes.push(index);
  });
  return { response: parser.end(), firstContentPushes };
}

export function whole(format: WireFormat, contentType: string | undefined, bytes: Uint8Array, maxTextBytes?: number): WireResponse {
  return feed(format, contentType, [bytes], maxTextBytes).response;
}

/**
 * Asserts that the body parses to the same response however it is cut: at every offset into two
 * pieces, and byte by byte; and that exactly one push reports the first content when there is any.
 */
export function expectSameAtEverySplit(format: WireFormat, contentType: string | undefined, bytes: Uint8Array): WireResponse {
  const reference = feed(format, contentType, [bytes]);
  const hasContent = (reference.response.content?.length ?? 0) > 0;
  const streamed = (contentType ?? '').includes('event-stream') || format.pathStreaming === true;
  if (streamed) expect(reference.firstContentPushes).toEqual(hasContent ? [0] : []);
  for (let offset = 0; offset <= bytes.length; offset += 1) {
    const split = feed(format, contentType, [bytes.subarray(0, offset), bytes.subarray(offset)]);
    if (!isDeepStrictEqual(split.response, reference.response)) {
      expect.fail(`split at byte ${offset} gives ${JSON.stringify(split.response)}, not ${JSON.stringify(reference.response)}`);
    }
    if (streamed) expect(split.firstContentPushes.length).toBe(hasContent ? 1 : 0);
  }
  const pieces: Uint8Array[] = [];
  for (let index = 0; index < bytes.length; index += 1) pieces.push(bytes.subarray(index, index + 1));
  const bytewise = feed(format, contentType, pieces);
  expect(bytewise.response).toEqual(reference.response);
  if (streamed) expect(bytewise.firstContentPushes.length).toBe(hasContent ? 1 : 0);
  return reference.response;
}

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The SSE events of a transcript as `[event, data]` pairs (LF line ends, one data line each). */
export function sseEvents(text: string): [string | undefined, string][] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? '';
      return [event, data];
    });
}

/** Writes events back as an SSE transcript. */
export function sseText(events: readonly (readonly [string | undefined, string])[]): string {
  return events.map(([event, data]) => `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`).join('');
}

const ODD_VALUES: readonly unknown[] = [null, 0, -1, 1e308, 'x', '', true, [], {}, [null], { type: 7 }, '[DONE]', Number.MAX_SAFE_INTEGER];

/**
 * A copy of a JSON value with random subtrees replaced by values of the wrong type (or dropped),
 * so parsers meet every field in an unexpected shape.
 */
export function mutateJson(value: unknown, random: () => number, rate = 0.15): unknown {
  if (random() < rate) return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
  if (Array.isArray(value)) return value.map((item) => mutateJson(item, random, rate)).filter(() => random() > rate / 3);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (random() < rate / 3) continue;
      out[key] = mutateJson(child, random, rate);
    }
    return out;
  }
  return value;
}

/** Random bytes, biased toward JSON and SSE syntax so the parsers' states are all reached. */
export function randomBytes(random: () => number, length: number): Uint8Array {
  const alphabet = utf8('{}[]",:\\ \n\r\tdata: event: 0123456789truefalsenull[DONE]é👋');
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) {
    bytes[index] = random() < 0.8 ? alphabet[Math.floor(random() * alphabet.length)]! : Math.floor(random() * 256);
  }
  return bytes;
}

/** Cuts bytes into random pieces. */
export function randomPieces(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const size = 1 + Math.floor(random() * Math.min(64, bytes.length - start));
    pieces.push(bytes.subarray(start, start + size));
    start += size;
  }
  return pieces;
}

/** Applies one random damage: a random prefix, a flipped byte, or a spliced run of random bytes. */
export function damage(bytes: Uint8Array, random: () => number): Uint8Array {
  const choice = random();
  if (choice < 0.4) return bytes.subarray(0, Math.floor(random() * bytes.length));
  const copy = new Uint8Array(bytes);
  if (choice < 0.7) {
    for (let flips = 0; flips < 4; flips += 1) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    return copy;
  }
  const at = Math.floor(random() * bytes.length);
  return new Uint8Array(Buffer.concat([bytes.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 40)), bytes.subarray(at)]));
}

const PART_TYPES = new Set(['text', 'reasoning', 'tool-call', 'tool-result', 'file']);

/** Invariants every parsed response keeps, whatever the input. */
export function expectWellFormedResponse(response: WireResponse, maxTextBytes: number): void {
  expect(typeof response.finished).toBe('boolean');
  expect(response.usageReported).toBe(response.usage !== undefined);
  if (response.usage !== undefined) {
    expect(Object.keys(response.usage).length).toBeGreaterThan(0);
    for (const count of Object.values(response.usage)) expect(Number.isFinite(count)).toBe(true);
  }
  if (response.error !== undefined) expect(typeof response.error.type).toBe('string');
  for (const key of ['finishReason', 'model', 'id'] as const) {
    if (response[key] !== undefined) expect(typeof response[key]).toBe('string');
  }
  const sizes = { text: 0, reasoning: 0 };
  for (const part of response.content ?? []) {
    expectWellFormedPart(part);
    if (part.type === 'text' || part.type === 'reasoning') sizes[part.type] += Buffer.byteLength(part.text.replace(/…\[truncated, \d+ bytes\]$/, ''));
  }
  expect(sizes.text).toBeLessThanOrEqual(maxTextBytes);
  expect(sizes.reasoning).toBeLessThanOrEqual(maxTextBytes);
}

export function expectWellFormedPart(part: MessagePart): void {
  expect(PART_TYPES.has(part.type)).toBe(true);
  switch (part.type) {
    case 'text':
    case 'reasoning':
      expect(typeof part.text).toBe('string');
      return;
    case 'tool-call':
      expect(typeof part.id).toBe('string');
      expect(typeof part.name).toBe('string');
      return;
    case 'tool-result':
      expect(typeof part.id).toBe('string');
      return;
    case 'file':
      expect(typeof part.mediaType).toBe('string');
      if (part.sizeBytes !== undefined) expect(Number.isFinite(part.sizeBytes)).toBe(true);
      return;
  }
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** Invariants every parsed request keeps, whatever the input. */
export function expectWellFormedRequest(request: ReturnType<WireFormat['parseRequest']>): void {
  expect(typeof request.complete).toBe('boolean');
  if (request.model !== undefined) expect(typeof request.model).toBe('string');
  if (request.stream !== undefined) expect(typeof request.stream).toBe('boolean');
  for (const message of request.request.messages ?? []) {
    expect(ROLES.has(message.role)).toBe(true);
    for (const part of message.parts) expectWellFormedPart(part);
  }
  for (const tool of request.request.tools ?? []) expect(typeof tool.name).toBe('string');
  for (const value of Object.values(request.request.options ?? {})) {
    if (Array.isArray(value)) for (const item of value) expect(typeof item).toBe('string');
    else expect(Number.isFinite(value)).toBe(true);
  }
}
