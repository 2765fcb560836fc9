// A file part (image, audio, document) described by media type and size, never by its payload.
import type { MessagePart } from '../../gen-ai-types.js';

type FilePart = Extract<MessagePart, { type: 'file' }>;

const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  pdf: 'application/pdf',
  txt: 'text/plain',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

/** Decoded size of base64 text, without decoding it. */
export function base64Size(data: string): number {
  let length = data.length;
  while (length > 0 && data.charCodeAt(length - 1) === 0x3d) length -= 1; // '=' padding
  return Math.floor((length * 3) / 4);
}

/**
 * A file part: the media type, an optional name, and the size when the payload is inline
 * (`base64` holds it). The payload itself is never kept.
 *
 * @example
 * filePart('image/png', { base64: 'iVBORw0KGgo=' }); // { type: 'file', mediaType: 'image/png', sizeBytes: 8 }
 */
export function filePart(mediaType: string, options: { readonly name?: string | undefined; readonly base64?: string | undefined } = {}): FilePart {
  const part: { type: 'file'; mediaType: string; name?: string; sizeBytes?: number } = { type: 'file', mediaType };
  if (options.name !== undefined && options.name !== '') part.name = options.name;
  if (options.base64 !== undefined) part.sizeBytes = base64Size(options.base64);
  return part;
}

/**
 * A file part for a URL: a `data:` URL gives its media type and size; another URL gives a media
 * type guessed from its extension, else `fallbackType`. The URL is not kept (it may carry a signed token).
 *
 * @example
 * filePartFromUrl('data:image/jpeg;base64,/9j/4AAQ', 'image/*'); // { type: 'file', mediaType: 'image/jpeg', sizeBytes: 9 }
 * filePartFromUrl('https://example.com/cat.png', 'image/*'); // { type: 'file', mediaType: 'image/png' }
 */
export function filePartFromUrl(url: string, fallbackType: string, name?: string): FilePart {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    const header = comma < 0 ? url.slice(5) : url.slice(5, comma);
    const [type = ''] = header.split(';');
    const mediaType = type === '' ? fallbackType : type.toLowerCase();
    const payload = comma < 0 ? '' : url.slice(comma + 1);
    if (header.endsWith(';base64')) return filePart(mediaType, { name, base64: payload });
    const part = filePart(mediaType, { name });
    return { ...part, sizeBytes: payload.length };
  }
  return filePart(mediaTypeOfUrl(url) ?? fallbackType, { name });
}

function mediaTypeOfUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return EXTENSION_TYPES[path.slice(dot + 1).toLowerCase()];
}
