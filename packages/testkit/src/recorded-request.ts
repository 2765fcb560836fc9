// The shape in which every mock server records a request it received.
import type { MockOpenAIScenario } from './mock-openai-server.js';

/**
 * A request a mock server received, with the scenario it was answered with.
 *
 * @example
 * const server = await startMockAnthropicServer();
 * // … a client calls it …
 * const first: RecordedRequest<MockAnthropicScenario> | undefined = server.requests[0];
 * first?.headers['anthropic-version']; // '2023-06-01'
 */
export interface RecordedRequest<Scenario = MockOpenAIScenario> {
  /** 1-based order of arrival. */
  readonly index: number;
  readonly method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Request headers, lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw request body as UTF-8 text. */
  readonly body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
  /** The scenario used to answer it. */
  readonly scenario: Scenario;
}
