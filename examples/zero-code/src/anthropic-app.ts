// A plain Anthropic SDK app with no runtrace code, streamed: `new Anthropic()` reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic();
const stream = client.messages.stream({
  model: 'claude-haiku-4-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'What is the weather in Bergen?' }],
});
stream.on('text', (text) => process.stdout.write(text));
await stream.finalMessage();
process.stdout.write('\n');
