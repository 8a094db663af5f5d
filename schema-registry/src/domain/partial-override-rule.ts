import type { CompositionMessage, CompositionOutcome } from '../compose';
import { definesField, isPartialLabel, overridesIn } from './progressive-override';

/**
 * The code of the rule's error, beside composition's own codes in a check's or a publish's
 * `compositionErrors`: a field removed from the subgraph a progressive @override takes it from.
 */
export const partialOverrideFieldRemoved = 'PARTIAL_OVERRIDE_FIELD_REMOVED';

/**
 * While a field moves with `@override(from: "old", label: "percent(N)")`, the old owner still
 * serves the requests the label leaves to it. Composition lets the old owner drop the field
 * (it only hints), and those requests would then go to the new owner at once: the share a team
 * chose is lost without anyone raising it. So a proposal in which some subgraph overrides a field
 * with a partial label from a subgraph that no longer declares it is refused, naming the step
 * that comes first. An old owner not in the proposal at all (not yet published) is not checked.
 */
export function partialOverrideRemovals(subgraphs: readonly { name: string; sdl: string }[]): CompositionMessage[] {
  const byName = new Map(subgraphs.map((s) => [s.name, s.sdl]));
  const errors: CompositionMessage[] = [];
  for (const subgraph of subgraphs) {
    let overrides;
    try {
      overrides = overridesIn(subgraph.name, subgraph.sdl);
    } catch {
      continue; // An SDL that does not parse is composition's to report.
    }
    for (const override of overrides) {
      const fromSdl = byName.get(override.from);
      if (fromSdl === undefined || !isPartialLabel(override.label) || safelyDefines(fromSdl, override.coordinate)) continue;
      errors.push({
        code: partialOverrideFieldRemoved,
        message:
          `${override.coordinate} cannot leave subgraph "${override.from}" while subgraph "${override.subgraph}" takes it over progressively ` +
          `(@override label "${override.label}"): "${override.from}" still serves the requests the label leaves to it. ` +
          `Finish the override first (ficus override finish <graph@variant> ${override.coordinate}), then remove the field.`,
        locations: [],
      });
    }
  }
  return errors;
}

/** A composed outcome refused when the proposal breaks the rule; any other outcome as it was. */
export function withPartialOverrideRule(outcome: CompositionOutcome, subgraphs: readonly { name: string; sdl: string }[]): CompositionOutcome {
  if (!outcome.ok) return outcome;
  const errors = partialOverrideRemovals(subgraphs);
  return errors.length === 0 ? outcome : { ok: false, errors, hints: outcome.hints };
}

function safelyDefines(sdl: string, coordinate: string): boolean {
  try {
    return definesField(sdl, coordinate);
  } catch {
    return true;
  }
}
