// Gemini through plain fetch, no SDK and no runtrace code: GEMINI_API_KEY, and GEMINI_BASE_URL for another server.
const baseURL = process.env['GEMINI_BASE_URL'] ?? 'https://generativelanguage.googleapis.com';

interface GenerateContentResponse {
  candidates?: { content?: { parts?: { text?: string }[] } }[];
}

const response = await fetch(`${baseURL}/v1beta/models/gemini-2.5-flash:generateContent`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-goog-api-key': process.env['GEMINI_API_KEY'] ?? '' },
  body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'What is the weather in Tromsø?' }] }] }),
});
if (!response.ok) throw new Error(`Gemini answered HTTP ${response.status}`);
const answer = (await response.json()) as GenerateContentResponse;
console.log(answer.candidates?.[0]?.content?.parts?.map((part) => part.text ?? '').join(''));
