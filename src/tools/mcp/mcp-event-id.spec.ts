import { decodeEventId, encodeEventId, STANDALONE_STREAM_ID, STREAM_START_SEQ } from './mcp-event-id.js';

describe(encodeEventId.name, () => {
  const stream = '0b6f4a0e-5d1e-4c36-9a55-2f1f6b0e6a51';

  it('should write the stream and the sequence number, and read them back', () => {
    const id = encodeEventId(stream, '1042');
    expect(id).toBe(`${stream}.1042`);
    expect(decodeEventId(id)).toEqual({ streamId: stream, seq: '1042' });
  });

  it('should carry the standalone stream and a sequence given as a number or a bigint', () => {
    expect(decodeEventId(encodeEventId(STANDALONE_STREAM_ID, 7))).toEqual({
      streamId: '_GET_stream',
      seq: '7',
    });
    expect(encodeEventId(stream, 9007199254740993n)).toBe(`${stream}.9007199254740993`);
  });

  it('should refuse to write what it could not read back', () => {
    expect(() => encodeEventId('a.b', 1)).toThrow(/not a stream id/);
    expect(() => encodeEventId('', 1)).toThrow(/not a stream id/);
    expect(() => encodeEventId(stream, -1)).toThrow(/not an event sequence number/);
    expect(() => encodeEventId(stream, '01')).toThrow(/not an event sequence number/);
    expect(() => encodeEventId(stream, '12abc')).toThrow(/not an event sequence number/);
  });
});

describe(decodeEventId.name, () => {
  it('should read a stream start (the priming event, sequence 0)', () => {
    expect(decodeEventId(encodeEventId(STANDALONE_STREAM_ID, STREAM_START_SEQ))).toEqual({
      streamId: '_GET_stream',
      seq: '0',
    });
  });

  it.each([
    ['', 'empty'],
    ['1042', 'no stream'],
    ['stream.', 'no sequence'],
    ['stream.007', 'a leading zero'],
    ['stream.-1', 'a negative sequence'],
    ['stream.1234567890123456789', 'more digits than a bigint column can hold'],
    ['str eam.1', 'a space in the stream'],
    ['stream.1\nid: 2', 'a line break (an SSE field of its own)'],
    ['0b6f4a0e-5d1e-4c36-9a55-2f1f6b0e6a51_1718000000000_x9', "the SDK's in-memory store's format"],
  ])('should read %j as nothing of this server (%s)', (eventId) => {
    expect(decodeEventId(eventId)).toBeUndefined();
  });

  it('should split at the last dot only when the stream part is a stream id', () => {
    expect(decodeEventId('a.b.3')).toBeUndefined();
    expect(decodeEventId('_GET_stream.3')).toEqual({ streamId: '_GET_stream', seq: '3' });
  });
});
