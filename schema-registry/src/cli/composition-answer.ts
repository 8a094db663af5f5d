import { CliOutput, ExitCode, exitCodes } from './command';
import { formatCompositionMessage, formatHint } from './format-check';
import { CliFailure, writeJson } from './json-output';
import type { CompositionMessageView } from './operations';
import type { Format } from './options';

/**
 * Writes the part of a publish's or a deletion's answer that is the same for every command: in
 * JSON the whole answer (with the failure, if any); otherwise composition's hints and, when
 * refused, its errors and one error line. Gives the exit code when that is all there is to say,
 * or null when the command goes on to say what changed.
 */
export function writeCompositionAnswer(
  io: CliOutput,
  format: Format,
  answer: { data: object; hints: CompositionMessageView[]; errors: CompositionMessageView[] },
  failure: CliFailure | null,
): ExitCode | null {
  if (format === 'json') {
    writeJson(io, answer.data, failure);
    return failure ? exitCodes.failed : exitCodes.ok;
  }
  for (const hint of answer.hints) io.stderr.write(`${formatHint(hint)}\n`);
  if (!failure) return null;
  for (const error of answer.errors) io.stderr.write(`  ${formatCompositionMessage(error)}\n`);
  io.stderr.write(`error: ${failure.message}\n`);
  return exitCodes.failed;
}
