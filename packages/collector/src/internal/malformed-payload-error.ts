// The error decoders throw internally for a payload that breaks its encoding's rules.

/** A payload that breaks the encoding rules; the decoders answer it as undecodable. */
export class MalformedPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
