import { describe, expect, it } from 'vitest';
import { base64Size, filePart, filePartFromUrl } from './file-part.js';

describe('filePart', () => {
  it('measures base64 payloads without keeping them', () => {
    expect(base64Size('')).toBe(0);
    expect(base64Size('TQ==')).toBe(1);
    expect(base64Size('TWE=')).toBe(2);
    expect(base64Size('TWFu')).toBe(3);
    expect(filePart('image/png', { base64: 'TWFuTWE=', name: 'x.png' })).toEqual({ type: 'file', mediaType: 'image/png', name: 'x.png', sizeBytes: 5 });
  });

  it('reads data URLs and guesses the type of other URLs from their extension', () => {
    expect(filePartFromUrl('data:image/JPEG;base64,TWFu', 'image/*')).toEqual({ type: 'file', mediaType: 'image/jpeg', sizeBytes: 3 });
    expect(filePartFromUrl('data:text/plain,hello%20world', 'application/octet-stream')).toEqual({ type: 'file', mediaType: 'text/plain', sizeBytes: 13 });
    expect(filePartFromUrl('data:;base64,TWFu', 'image/*')).toEqual({ type: 'file', mediaType: 'image/*', sizeBytes: 3 });
    expect(filePartFromUrl('https://example.com/a/photo.WEBP?token=secret#x', 'image/*')).toEqual({ type: 'file', mediaType: 'image/webp' });
    expect(filePartFromUrl('https://example.com/v1.2/photo', 'image/*')).toEqual({ type: 'file', mediaType: 'image/*' });
  });
});
