// A Vercel AI SDK app with no runtrace code, streamed: the `openai` provider reads OPENAI_API_KEY and OPENAI_BASE_URL.
import { openai } from '@ai-sdk/openai';
import { streamText } from 'ai';

// `openai.chat(…)` speaks Chat Completions, which the local mock server answers; `openai(…)` would
// use the Responses API, which runtrace reads too but the mock server does not speak.
const result = streamText({ model: openai.chat('gpt-4.1-mini'), prompt: 'What is the weather in Stavanger?' });
for await (const text of result.textStream) process.stdout.write(text);
process.stdout.write('\n');
