// Public entry point of @runtrace/testkit.
export { startMockOpenAIServer } from './mock-openai-server.js';
export type { MockOpenAIServer, MockOpenAIServerOptions, MockOpenAIScenario, MockToolCall, MockUsage } from './mock-openai-server.js';
export { startMockAnthropicServer } from './mock-anthropic-server.js';
export type {
  MockAnthropicServer,
  MockAnthropicServerOptions,
  MockAnthropicScenario,
  MockAnthropicToolUse,
  MockAnthropicUsage,
} from './mock-anthropic-server.js';
export { startMockGeminiServer } from './mock-gemini-server.js';
export type {
  MockGeminiServer,
  MockGeminiServerOptions,
  MockGeminiScenario,
  MockGeminiFunctionCall,
  MockGeminiUsage,
} from './mock-gemini-server.js';
export type { RecordedRequest } from './recorded-request.js';
export { createSeededRandom } from './create-seeded-random.js';
export { closedPortUrl, startMockOtlpBackend } from './mock-otlp-backend.js';
export type { MockOtlpBackend, MockOtlpBehaviour } from './mock-otlp-backend.js';
export { hugeArrayOtlpJson } from './huge-array-otlp-json.js';
