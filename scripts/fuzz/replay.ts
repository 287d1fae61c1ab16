// `node --import tsx scripts/fuzz/replay.ts FILE…`: runs saved fuzz inputs through index and decode in this
// process and prints each outcome with the full stack of anything that was not a per-file error.
import { readFileSync } from 'node:fs';
import { DicomError } from '../../src/dicom/dicom-error.ts';
import { decodeFrame } from '../../src/dicom/decode/decode-frame.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';

for (const file of process.argv.slice(2)) {
  const started = performance.now();
  const index = await indexDicom([file]);
  const instance = index.studies[0]?.series[0]?.instances[0];
  console.log(
    `${file}\n  index: ${instance ? `${instance.rows}x${instance.columns}x${instance.numberOfFrames}` : JSON.stringify(index.errors)}`,
  );
  if (file.endsWith('.zip')) continue;
  const frames = [...new Set([0, Math.max(0, (instance?.numberOfFrames ?? 1) - 1)])];
  for (const frame of frames) {
    try {
      const decoded = await decodeFrame(file, new Uint8Array(readFileSync(file)), frame);
      console.log(`  decode frame ${frame}: ${decoded.rows}x${decoded.columns}x${decoded.samplesPerPixel}`);
    } catch (error) {
      if (error instanceof DicomError) console.log(`  decode frame ${frame}: ${error.reason}`);
      else console.log(`  decode frame ${frame}: NOT A PER-FILE ERROR`, error);
    }
  }
  console.log(`  ${(performance.now() - started).toFixed(0)} ms`);
}
