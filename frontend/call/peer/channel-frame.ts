import * as v from "valibot";

/**
 * Reads one frame from a peer's data channel. The other end is another browser running who
 * knows what, so a frame is only ever a string of bounded length holding JSON that matches
 * `schema`; anything else is null, never an exception.
 */
export function parseChannelFrame<S extends v.GenericSchema>(
  data: unknown,
  schema: S,
  maxLength: number,
): v.InferOutput<S> | null {
  if (typeof data !== "string" || data.length > maxLength) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  const result = v.safeParse(schema, raw);
  return result.success ? result.output : null;
}
