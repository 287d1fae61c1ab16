#!/bin/bash
# Builds what the device exploration (run.sh) carries to a GPU machine, which has PyTorch but no Node and no
# pydicom: this machine's node binary (xz), `overread sample` bundled into one file by esbuild (byte-identical
# studies: checked against bin/overread.js), and Debian's pydicom. 28 MB in all, under the device's 64 MiB.
# Usage (repository root): bash models/train/explore/pack.sh  → models/train/out/explore/
set -eu
A=models/train/out/explore
mkdir -p "$A"
entry=$(mktemp --suffix=.ts)
cat >"$entry" <<TS
import { command } from '$PWD/src/cli/commands/sample-command.ts';
process.exitCode = await command.run(process.argv.slice(2));
TS
node_modules/.bin/esbuild "$entry" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$A/overread-sample.mjs" \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
rm -f "$entry"
[ -f "$A/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$A/node.xz"
tar -C /usr/lib/python3/dist-packages -cJf "$A/pydicom.tar.xz" --exclude='pydicom/data/test_files' pydicom
du -sh "$A"
