import { Command, CommanderError } from 'commander';
import { registerCatalog } from './commands/catalog.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerGenerate } from './commands/generate.js';
import { registerPreview } from './commands/preview.js';
import { registerReport } from './commands/report.js';
import { registerStack } from './commands/stack.js';
import { exitCodeOf, exitCodes } from './errors.js';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('eventscope')
    .description(
      'See where your event latency goes — processing time, event age, GC pauses, heap, event-loop delay — and get paged when it regresses.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerGenerate(program);
  registerCheck(program);
  registerReport(program);
  registerPreview(program);
  registerStack(program);
  registerCatalog(program);
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Run the CLI; resolves with the exit code. Commander prints its own usage errors. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    process.stderr.write(`eventscope: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeOf(error);
  }
}
