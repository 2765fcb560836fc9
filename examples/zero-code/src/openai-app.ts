// A plain OpenAI SDK app with no runtrace code: `new OpenAI()` reads OPENAI_API_KEY and OPENAI_BASE_URL.
import OpenAI from 'openai';

const client = new OpenAI();
const completion = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
});
console.log(completion.choices[0]?.message.content);
