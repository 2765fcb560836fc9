// The GenAI semantic conventions' JSON schemas for gen_ai.input.messages, gen_ai.output.messages
// and gen_ai.tool.definitions, written here from their published definitions (draft 2020-12):
// parts are told apart by `type`; a type the conventions do not define is a generic part.

const anyValue = {};
const stringOrNull = { type: ['string', 'null'] };

/** A part schema for each defined type; any other type only needs a string `type`. */
const part = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  allOf: [
    { if: { properties: { type: { const: 'text' } } }, then: { required: ['type', 'content'], properties: { content: { type: 'string' } } } },
    { if: { properties: { type: { const: 'reasoning' } } }, then: { required: ['type', 'content'], properties: { content: { type: 'string' } } } },
    { if: { properties: { type: { const: 'tool_call' } } }, then: { required: ['type', 'name'], properties: { id: stringOrNull, name: { type: 'string' }, arguments: anyValue } } },
    { if: { properties: { type: { const: 'tool_call_response' } } }, then: { required: ['type', 'response'], properties: { id: stringOrNull, response: anyValue } } },
    { if: { properties: { type: { const: 'blob' } } }, then: { required: ['type', 'modality', 'content'], properties: { modality: { type: 'string' }, mime_type: stringOrNull, content: { type: 'string' } } } },
    { if: { properties: { type: { const: 'file' } } }, then: { required: ['type', 'modality', 'file_id'], properties: { modality: { type: 'string' }, mime_type: stringOrNull, file_id: { type: 'string' } } } },
    { if: { properties: { type: { const: 'uri' } } }, then: { required: ['type', 'modality', 'uri'], properties: { modality: { type: 'string' }, mime_type: stringOrNull, uri: { type: 'string' } } } },
  ],
};

const parts = { type: 'array', items: part };

export const INPUT_MESSAGES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  items: { type: 'object', required: ['role', 'parts'], properties: { role: { type: 'string' }, parts, name: stringOrNull } },
};

export const OUTPUT_MESSAGES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  items: { type: 'object', required: ['role', 'parts', 'finish_reason'], properties: { role: { type: 'string' }, parts, finish_reason: { type: 'string' }, name: stringOrNull } },
};

export const TOOL_DEFINITIONS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  items: { type: 'object', required: ['type', 'name', 'description'], properties: { type: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, parameters: anyValue } },
};
