// Public entry point of @runtrace/testkit.
export { startMockOpenAIServer } from './mock-openai-server.js';
export type {
  MockOpenAIServer,
  MockOpenAIServerOptions,
  MockOpenAIScenario,
  RecordedRequest,
  MockToolCall,
  MockUsage,
} from './mock-openai-server.js';
export { createSeededRandom } from './create-seeded-random.js';
export { closedPortUrl, startMockOtlpBackend } from './mock-otlp-backend.js';
export type { MockOtlpBackend, MockOtlpBehaviour } from './mock-otlp-backend.js';
export { hugeArrayOtlpJson } from './huge-array-otlp-json.js';
