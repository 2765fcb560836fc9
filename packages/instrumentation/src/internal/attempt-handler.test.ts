import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { AttemptHandler } from './attempt-handler.js';
import type { AttemptRecording } from './attempt-recording.js';
import { LegacyAttemptHandler } from './legacy-attempt-handler.js';

/** Stands in for a recording and logs which of its methods were called. */
function loggingRecording(): { readonly recording: AttemptRecording; readonly calls: string[] } {
  const calls: string[] = [];
  const log = (name: string) => (): void => void calls.push(name);
  const recording = { upgrade: log('upgrade'), responseStart: log('responseStart'), data: log('data'), end: log('end'), fail: log('fail'), bodySent: log('bodySent') };
  return { recording: recording as unknown as AttemptRecording, calls };
}

const controller = {} as Dispatcher.DispatchController;

// Once the round trip is over, undici may keep a handler reachable for a while: the handler lets
// go of its recording then, so a callback that still comes reaches the real handler alone.
describe('the dispatch handlers let go of the recording when the round trip ends', () => {
  it('AttemptHandler (undici 8), after the end, an error and an upgrade', () => {
    for (const finish of ['end', 'error', 'upgrade'] as const) {
      const { recording, calls } = loggingRecording();
      const forwarded: string[] = [];
      const handler = new AttemptHandler(recording, {
        onResponseData: () => void forwarded.push('data'),
        onResponseEnd: () => void forwarded.push('end'),
        onResponseError: () => void forwarded.push('error'),
        onRequestUpgrade: () => void forwarded.push('upgrade'),
      });
      handler.onResponseData(controller, Buffer.from('a'));
      if (finish === 'end') handler.onResponseEnd(controller, {});
      else if (finish === 'error') handler.onResponseError(controller, new Error('reset'));
      else handler.onRequestUpgrade(controller, 101, {}, undefined as never);
      handler.onResponseData(controller, Buffer.from('late'));
      handler.onResponseError(controller, new Error('late'));
      expect(calls).toEqual(['data', finish === 'error' ? 'fail' : finish]);
      expect(forwarded).toEqual(['data', finish, 'data', 'error']);
    }
  });

  it('LegacyAttemptHandler (Node fetch), after the end, an error and an upgrade', () => {
    for (const finish of ['end', 'error', 'upgrade'] as const) {
      const { recording, calls } = loggingRecording();
      const forwarded: string[] = [];
      const handler = new LegacyAttemptHandler(recording, {
        onData: () => forwarded.push('data') > 0,
        onComplete: () => void forwarded.push('end'),
        onError: () => void forwarded.push('error'),
        onUpgrade: () => void forwarded.push('upgrade'),
      });
      handler.onData(Buffer.from('a'));
      if (finish === 'end') handler.onComplete(null);
      else if (finish === 'error') handler.onError(new Error('reset'));
      else handler.onUpgrade(101, null, undefined as never);
      handler.onData(Buffer.from('late'));
      handler.onError(new Error('late'));
      expect(calls).toEqual(['data', finish === 'error' ? 'fail' : finish]);
      expect(forwarded).toEqual(['data', finish, 'data', 'error']);
    }
  });
});
