import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from '../../renderer/sse-parser.ts';

test('events split across chunks come out whole, in order', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: {"done":1}\n\ndata: {"do'), ['{"done":1}']);
  assert.deepEqual(parser.push('ne":2}\n'), []);
  assert.deepEqual(parser.push('\n'), ['{"done":2}']);
});

test('CRLF line ends, comments and multi-line data are handled', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\n'), ['a\nb']);
});
