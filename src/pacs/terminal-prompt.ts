// Owns asking for a secret on the terminal without echoing it. Only when stdin is a TTY: a script or CI job
// gets the "set OVERREAD_PACS_…" message instead of a hang.
import { createInterface } from 'node:readline';

export function terminalSecretPrompt(
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WriteStream = process.stderr,
): ((question: string) => Promise<string>) | undefined {
  if (!input.isTTY) return undefined;
  return (question) =>
    new Promise((resolve) => {
      const rl = createInterface({ input, output, terminal: true });
      let muted = false;
      // readline echoes through _writeToOutput; swallowing it hides what is typed.
      const writer = rl as unknown as { _writeToOutput: (text: string) => void };
      const original = writer._writeToOutput.bind(rl);
      writer._writeToOutput = (text) => {
        if (!muted) original(text);
      };
      rl.question(question, (answer) => {
        rl.close();
        output.write('\n');
        resolve(answer);
      });
      muted = true;
    });
}
