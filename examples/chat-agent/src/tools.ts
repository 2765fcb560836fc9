// The tools the demo agent offers the model.
import type { AgentTool } from './chat-agent.ts';

/** A weather lookup that answers from a table (a real agent would call a service). */
export const weatherTool: AgentTool = {
  description: 'Current weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  run(args) {
    const city = typeof args.city === 'string' ? args.city : 'unknown';
    return Promise.resolve({ city, temperatureC: 12, conditions: 'cloudy', rainLater: true });
  },
};
