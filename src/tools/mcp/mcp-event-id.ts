/** The SDK's id of a session's standalone (GET) stream; request streams have a random UUID. */
export const STANDALONE_STREAM_ID = '_GET_stream';

const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EVENT_ID = /^([A-Za-z0-9_-]{1,64})\.(0|[1-9][0-9]{0,17})$/;

/**
 * The place of a stream's priming event: before every stored event of the stream. Priming events
 * carry no message, so they are not stored (one INSERT less per answer); a resume from here replays
 * the whole stream.
 */
export const STREAM_START_SEQ = '0';

/** Where an event sits: its stream, and its place in the `mcp_events` order (a bigint, as text). */
export interface EventPosition {
  streamId: string;
  seq: string;
}

/**
 * An SSE event id as this server writes it: `<stream id>.<seq>`, e.g.
 * `0b6f4a0e-5d1e-4c36-9a55-2f1f6b0e6a51.1042`. The stream id says which stream a Last-Event-ID
 * resumes, the seq where in it (ids grow in the order the events were stored). A session id is not
 * part of it: a resume always comes with its Mcp-Session-Id, and events are looked up within it.
 */
export function encodeEventId(streamId: string, seq: string | number | bigint): string {
  const text = String(seq);
  if (!STREAM_ID.test(streamId)) throw new Error(`not a stream id: ${JSON.stringify(streamId.slice(0, 80))}`);
  if (!/^(0|[1-9][0-9]{0,17})$/.test(text))
    throw new Error(`not an event sequence number: ${text.slice(0, 40)}`);
  return `${streamId}.${text}`;
}

/** The position an event id names; undefined for anything this server did not write. */
export function decodeEventId(eventId: string): EventPosition | undefined {
  const match = EVENT_ID.exec(eventId);
  return match ? { streamId: match[1], seq: match[2] } : undefined;
}
