// `overread render`: decodes one frame of a DICOM file and writes it as a windowed PNG (for eyes) or as raw
// little-endian float32 modality values (for scripts and for checking against other readers).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import type { Command } from '../main.ts';
import { decodeFrame, type DecodedFrame } from '../../dicom/decode/decode-frame.ts';
import { windowFrame, type Window } from '../../dicom/decode/window-frame.ts';

const HELP = `usage: overread render <file> --out FILE [--frame N] [--window C,W]
  --out FILE     .png: the windowed frame (grey 8-bit, MONOCHROME1 shown inverted; colour as RGB)
                 .f32: modality values (rescale applied) as little-endian float32, rows × columns × samples
  --frame N      frame of a multi-frame file, from 0 (default 0)
  --window C,W   window centre and width (default: the file's Window Center/Width, else the frame's min/max)`;

function parseWindow(text: string | undefined): Window | undefined {
  if (text === undefined) return undefined;
  const [center, width] = text.split(',').map(Number);
  if (!Number.isFinite(center) || !Number.isFinite(width) || width <= 0)
    throw new Error(`--window ${text} must be CENTER,WIDTH with a positive width, e.g. --window 40,400`);
  return { center, width };
}

function png(frame: DecodedFrame, window: Window | undefined): Buffer {
  const display = windowFrame(frame, window);
  const image = new PNG({
    width: frame.columns,
    height: frame.rows,
    colorType: frame.samplesPerPixel === 3 ? 2 : 0,
    inputColorType: frame.samplesPerPixel === 3 ? 2 : 0,
    inputHasAlpha: false,
    bitDepth: 8,
  });
  image.data = Buffer.from(display.buffer, display.byteOffset, display.byteLength);
  return PNG.sync.write(image, {
    colorType: frame.samplesPerPixel === 3 ? 2 : 0,
    inputColorType: frame.samplesPerPixel === 3 ? 2 : 0,
    inputHasAlpha: false,
  });
}

export const command: Command = {
  summary: 'decode one frame to a PNG (windowed) or raw float32 modality values',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        frame: { type: 'string' },
        window: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const [file] = positionals;
    if (!file || !values.out || positionals.length > 1) {
      console.error(HELP);
      return 2;
    }
    const frameIndex = values.frame === undefined ? 0 : Number(values.frame);
    if (!Number.isInteger(frameIndex) || frameIndex < 0)
      throw new Error(`--frame ${values.frame} must be a whole number from 0`);
    const window = parseWindow(values.window);
    const out = values.out;
    if (!/\.(png|f32)$/i.test(out)) throw new Error(`--out ${out} must end in .png or .f32`);

    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`);
    }
    const frame = await decodeFrame(file, bytes, frameIndex);
    const body = /\.png$/i.test(out)
      ? png(frame, window)
      : Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength); // x86/ARM are little endian
    await writeFile(out, body);
    return 0;
  },
};
