// An independent client of the Confluent wire format (kafkajs' confluent-schema-registry on avsc),
// run by RegistryCrossCheckIT. No Java involved:
//   node crosscheck.js decode <registry-url> <hex-file>            -> JSON summary of the decoded SpaceEvent
//   node crosscheck.js encode <registry-url> <subject> <avsc-file> -> JSON {id, hex} of an EmbeddingChunk it built
'use strict';
const fs = require('fs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const CHUNK = 'io.vectory.avro.EmbeddingChunk';

// avsc may wrap a union branch as {"full.Name": value}; accept both shapes.
function unwrap(event) {
  const keys = Object.keys(event);
  if (keys.length === 1 && keys[0].startsWith('io.vectory.avro.')) return { type: keys[0], value: event[keys[0]] };
  return { type: event.constructor && event.constructor.getType ? event.constructor.getType().name : 'unknown', value: event };
}

function floatsLE(buf) {
  const out = [];
  for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
  return out;
}

async function main() {
  const [mode, host, a, b] = process.argv.slice(2);
  const registry = new SchemaRegistry({ host });
  if (mode === 'decode') {
    const bytes = Buffer.from(fs.readFileSync(a, 'utf8').trim(), 'hex');
    const decoded = await registry.decode(bytes);
    const { type, value } = unwrap(decoded.event);
    const out = { magic: bytes[0], schemaId: bytes.readInt32BE(1), type, checkpoint: value.checkpoint };
    if (value.ids) {
      out.sequence = value.sequence;
      out.ids = value.ids;
      out.vectors = floatsLE(value.vectors);
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  } else if (mode === 'encode') {
    const schema = fs.readFileSync(b, 'utf8');
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: a });
    const vectors = Buffer.alloc(2 * 3 * 4);
    [0.5, -1.25, 3.0e-7, 1e30, -0.0, 42.0].forEach((f, i) => vectors.writeFloatLE(f, i * 4));
    const chunk = {
      checkpoint: { experiment: 'node-exp', space: 'head', step: 7 },
      sequence: 0, first_row: 0, dimension: 3, ids: ['n-1', 'n-2'], vectors, metadata: [['a'], ['b']],
    };
    let bytes;
    try {
      bytes = await registry.encode(id, { event: chunk });
    } catch (e) {
      bytes = await registry.encode(id, { event: { [CHUNK]: chunk } });
    }
    process.stdout.write(JSON.stringify({ id, hex: bytes.toString('hex') }) + '\n');
  } else {
    throw new Error('usage: crosscheck.js decode <url> <hex-file> | encode <url> <subject> <avsc-file>');
  }
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
