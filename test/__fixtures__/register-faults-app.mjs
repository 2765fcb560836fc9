// An application started with `node --import runtrace/register`: its own register() call (as the README shows) and one run.
import { register } from 'runtrace';

const { recorder } = register();
const answer = await recorder.run({ kind: 'chat_turn', label: 'from the app' }, async (run) => run.tool({ name: 'lookup', callId: 'c1' }, () => 41 + 1));
console.log('app done', answer, Date.now());
